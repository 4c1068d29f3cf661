export {
  type BootstrappedStore,
  type BuiltKey,
  type BuiltSecret,
  bootstrapStore,
  cryptoRandom,
  FAKE_CLOCK_START,
  FakeClock,
  type KeyOverrides,
  TestData,
} from "./builders.js";
export { freePort } from "./free-port.js";
export { describeStoreContract } from "./store-contract.js";
export {
  expectLatchkeyError,
  type SeededOrg,
  type StoreFactory,
  StoreFixture,
  type StoreHarness,
  type StoreSeed,
  useStoreFixture,
} from "./store-contract-fixture.js";
