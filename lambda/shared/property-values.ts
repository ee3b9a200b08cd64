/**
 * Helpers every handler's property parser shares: CloudFormation delivers
 * properties as untyped JSON, and problems are reported with the offending
 * value shown, bounded, on one line.
 */

/** A user value as it appears in a message: quoted, one line, bounded. */
export function shown(value: unknown): string {
  if (typeof value === 'string') {
    const oneLine = value.replace(/\s+/g, ' ');
    return `'${oneLine.length > 80 ? `${oneLine.slice(0, 77)}...` : oneLine}'`;
  }
  if (value === undefined) {
    return 'undefined';
  }
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/** A plain JSON object (not null, not a list). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
