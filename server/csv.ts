/**
 * One CSV field (RFC 4180 quoting). Cells that a spreadsheet would run as a formula are
 * prefixed with a quote, so an exported audit trail cannot execute what someone typed.
 */
export function csvField(value: unknown): string {
  let text =
    value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(values: unknown[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}
