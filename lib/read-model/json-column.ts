/**
 * A JSON text column of the read model: how the controller encodes its value and how the
 * dashboard decodes it, declared once so the two cannot disagree.
 */
export interface JsonColumn<T> {
  encode(value: T): string;
  decode(text: string): T;
}

export function jsonColumn<T>(): JsonColumn<T> {
  return { encode: (value) => JSON.stringify(value), decode: (text) => JSON.parse(text) as T };
}
