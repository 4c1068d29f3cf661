export { type Io, processIo } from "./io.js";
export { createProgram, run } from "./program.js";
