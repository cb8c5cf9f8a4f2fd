// Reading back the files the platform exports: CSV (RFC 4180) and the
// entries of a zip archive (an .xlsx workbook is one), with node's zlib.
import { inflateRawSync } from 'node:zlib';

// Rows of a CSV text (fields quoted with ", quotes doubled, CRLF lines).
export function parseCsv(text) {
  const rows = [];
  let row = [], field = '', i = 0, quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"' && field === '') { quoted = true; i++; continue; }
    if (c === ',') { row.push(field); field = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') {
      row.push(field); rows.push(row); row = []; field = ''; i += 2; continue;
    }
    if (c === '\n' || c === '\r') throw new Error(`bare line break at ${i}`);
    field += c; i++;
  }
  if (field !== '' || row.length) throw new Error('the last line has no CRLF');
  return rows;
}

// The entries of a zip archive: Map(name → Buffer), read through its
// central directory (stored and deflated entries).
export function unzip(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('not a zip archive');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map();
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory');
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error('bad local header');
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + csize);
    if (method === 0) out.set(name, Buffer.from(data));
    else if (method === 8) out.set(name, inflateRawSync(data));
    else throw new Error(`compression ${method} of ${name}`);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

// The cells of the first worksheet of an .xlsx, as rows of strings and
// numbers (shared and inline strings resolved).
export function xlsxRows(buf) {
  const files = unzip(buf);
  const shared = [];
  const sst = files.get('xl/sharedStrings.xml')?.toString('utf8') ?? '';
  for (const m of sst.matchAll(/<si>(.*?)<\/si>/gs)) {
    shared.push([...m[1].matchAll(/<t[^>]*>(.*?)<\/t>/gs)].map((t) => unxml(t[1])).join(''));
  }
  const sheet = files.get('xl/worksheets/sheet1.xml');
  if (!sheet) throw new Error('no first worksheet');
  const rows = [];
  for (const r of sheet.toString('utf8').matchAll(/<row [^>]*r="(\d+)"[^>]*>(.*?)<\/row>/gs)) {
    const cells = [];
    for (const c of r[2].matchAll(/<c r="([A-Z]+)\d+"([^>]*?)(?:\/>|>(.*?)<\/c>)/gs)) {
      const col = [...c[1]].reduce((a, ch) => a * 26 + ch.charCodeAt(0) - 64, 0) - 1;
      // A string written inline (libxlsxwriter's constant_memory mode).
      if (/t="inlineStr"/.test(c[2])) {
        cells[col] = [...(c[3] ?? '').matchAll(/<t[^>]*>(.*?)<\/t>/gs)]
          .map((x) => unxml(x[1])).join('');
        continue;
      }
      const v = /<v>(.*?)<\/v>/s.exec(c[3] ?? '')?.[1];
      cells[col] = v === undefined ? null : /t="s"/.test(c[2]) ? shared[Number(v)] : Number(v);
    }
    rows[Number(r[1]) - 1] = cells;
  }
  return { files, rows };
}

function unxml(s) {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}
