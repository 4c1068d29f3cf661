/** Marks where the README's role table starts. */
export declare const ROLE_TABLE_START: string;
/** Marks where the README's role table ends. */
export declare const ROLE_TABLE_END: string;
/** The README text with `table` between the markers (which must be there, once each). */
export declare function withRoleTable(readme: string, table: string): string;
