// Renders untrusted znode data for reading: JSON pretty-printed, UTF-8 text as is, anything else
// (binary, invalid UTF-8, control characters) as a hex dump.

/** Strict UTF-8 (invalid bytes fail rather than turning into U+FFFD). */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeText(data: Uint8Array): string | undefined {
  try {
    return utf8.decode(data);
  } catch {
    return undefined;
  }
}

export type DataFormat = 'empty' | 'json' | 'text' | 'hex';

export function renderZnodeData(data: Uint8Array, maxBytes = 256 * 1024): { format: DataFormat; text: string; truncated: boolean } {
  const truncated = data.length > maxBytes;
  const shown = truncated ? data.subarray(0, maxBytes) : data;
  if (data.length === 0) {
    return { format: 'empty', text: '', truncated: false };
  }
  const text = truncated ? undefined : decodeText(shown);
   
  if (text !== undefined && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) {
    const trimmed = text.trim();
    if ((trimmed.startsWith('{') && trimmed.endsWith('}')) || (trimmed.startsWith('[') && trimmed.endsWith(']'))) {
      try {
        return { format: 'json', text: JSON.stringify(JSON.parse(trimmed) as unknown, null, 2), truncated };
      } catch {
        // not JSON after all: show the text
      }
    }
    return { format: 'text', text, truncated };
  }
  return { format: 'hex', text: hexDump(shown), truncated };
}

export function hexDump(data: Uint8Array): string {
  const lines: string[] = [];
  for (let offset = 0; offset < data.length; offset += 16) {
    const row = data.subarray(offset, offset + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}
