import "server-only";

type DtoValue<V> = V extends Date ? string : V;

/** A read-model row as JSON carries it to the browser: its dates become ISO strings. */
export type Dto<Row> = { [K in keyof Row]: DtoValue<Row[K]> };

export function toDto<Row extends object>(row: Row): Dto<Row> {
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value]),
  ) as Dto<Row>;
}
