// needs: i18n
// Zip archives, as office files are: writing one (each entry deflated by the browser's
// CompressionStream, or stored where there is none) and reading one (stored or deflated entries,
// as Excel, LibreOffice and Google Sheets write them), with the CRC-32 each entry carries.
// What a file unpacks to is capped, so a small archive that would unpack to gigabytes is refused.
(() => {
  "use strict";
  const handbook = self.handbook;
  const { t } = handbook.i18n;
  const MOST_UNPACKED = 200 * 2 ** 20; // all entries together
  const encoder = new TextEncoder();

  const CRC_TABLE = new Uint32Array(256).map((_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c;
  });
  function crc32(bytes) {
    let crc = 0xffffffff;
    for (let at = 0; at < bytes.length; at += 1) crc = CRC_TABLE[(crc ^ bytes[at]) & 0xff] ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
  }

  // All of a stream's bytes, in one array; more than `most` stops it.
  async function collect(stream, most = Number.POSITIVE_INFINITY) {
    const parts = [];
    let size = 0;
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > most) {
        reader.cancel();
        throw new Error(t("browser.office.too_big"));
      }
      parts.push(value);
    }
    const all = new Uint8Array(size);
    let at = 0;
    for (const part of parts) {
      all.set(part, at);
      at += part.length;
    }
    return all;
  }

  const through = (bytes, transform) => collect(new Blob([bytes]).stream().pipeThrough(transform));
  const canDeflate = typeof CompressionStream === "function";

  // ------------------------------------------------------------------ writing

  // A day and time as a zip entry keeps it (MS-DOS format, local time).
  function dosTime(when) {
    const time = (when.getHours() << 11) | (when.getMinutes() << 5) | (when.getSeconds() >> 1);
    const day = ((when.getFullYear() - 1980) << 9) | ((when.getMonth() + 1) << 5) | when.getDate();
    return [time, day];
  }

  // The archive of [[name, text or bytes], ...], as bytes.
  async function write(entries, when = new Date()) {
    const [time, day] = dosTime(when);
    const files = [];
    for (const [name, content] of entries) {
      const data = typeof content === "string" ? encoder.encode(content) : content;
      const packed = canDeflate ? await through(data, new CompressionStream("deflate-raw")) : data;
      const deflated = canDeflate && packed.length < data.length;
      files.push({
        name: encoder.encode(name),
        data: deflated ? packed : data,
        method: deflated ? 8 : 0,
        crc: crc32(data),
        size: data.length,
      });
    }
    const head = (file, central) => {
      const bytes = new Uint8Array((central ? 46 : 30) + file.name.length);
      const view = new DataView(bytes.buffer);
      let at = 0;
      const u16 = (value) => {
        view.setUint16(at, value, true);
        at += 2;
      };
      const u32 = (value) => {
        view.setUint32(at, value, true);
        at += 4;
      };
      u32(central ? 0x02014b50 : 0x04034b50);
      if (central) u16(20); // made by: version 2.0
      u16(20); // needed to extract: 2.0 (deflate)
      u16(0x0800); // names in UTF-8
      u16(file.method);
      u16(time);
      u16(day);
      u32(file.crc);
      u32(file.data.length);
      u32(file.size);
      u16(file.name.length);
      u16(0); // no extra field
      if (central) {
        u16(0); // no comment
        u16(0); // disk 0
        u16(0); // internal attributes
        u32(0); // external attributes
        u32(file.offset);
      }
      bytes.set(file.name, at);
      return bytes;
    };
    const parts = [];
    let offset = 0;
    for (const file of files) {
      file.offset = offset;
      const local = head(file, false);
      parts.push(local, file.data);
      offset += local.length + file.data.length;
    }
    const central = files.map((file) => head(file, true));
    const centralSize = central.reduce((total, part) => total + part.length, 0);
    const end = new Uint8Array(22);
    const view = new DataView(end.buffer);
    view.setUint32(0, 0x06054b50, true);
    view.setUint16(8, files.length, true);
    view.setUint16(10, files.length, true);
    view.setUint32(12, centralSize, true);
    view.setUint32(16, offset, true);
    return collect(new Blob([...parts, ...central, end]).stream());
  }

  // ------------------------------------------------------------------ reading

  // The archive's entries: a Map of lower-case name -> async () => bytes. An Error if it is none.
  function read(buffer) {
    const bytes = new Uint8Array(buffer);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const notZip = () => new Error(t("browser.office.not_workbook"));
    // The end record is in the last 22 bytes, or before a comment of up to 65,535 bytes.
    let end = bytes.length - 22;
    const stop = Math.max(0, bytes.length - 22 - 65_535);
    while (end >= stop && view.getUint32(end, true) !== 0x06054b50) end -= 1;
    if (end < stop) throw notZip();
    const count = view.getUint16(end + 10, true);
    let at = view.getUint32(end + 16, true);
    const entries = new Map();
    const decoder = new TextDecoder();
    let unpacked = 0;
    for (let n = 0; n < count; n += 1) {
      if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) throw notZip();
      const method = view.getUint16(at + 10, true);
      const crc = view.getUint32(at + 16, true);
      const packedSize = view.getUint32(at + 20, true);
      const size = view.getUint32(at + 24, true);
      const nameLength = view.getUint16(at + 28, true);
      const skip = nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
      const local = view.getUint32(at + 42, true);
      const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
      at += 46 + skip;
      entries.set(name.toLowerCase(), async () => {
        if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50) {
          throw new Error(t("browser.office.damaged", { part: name }));
        }
        const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
        const packed = bytes.subarray(start, start + packedSize);
        let data;
        if (method === 0) data = packed;
        else if (method === 8) {
          const most = MOST_UNPACKED - unpacked;
          data = await collect(
            new Blob([packed]).stream().pipeThrough(new DecompressionStream("deflate-raw")),
            most,
          ).catch((error) => {
            throw error.message === t("browser.office.too_big")
              ? error
              : new Error(t("browser.office.damaged", { part: name }));
          });
        } else throw new Error(t("browser.office.damaged", { part: name }));
        unpacked += data.length;
        if (data.length !== size || crc32(data) !== crc) {
          throw new Error(t("browser.office.damaged", { part: name }));
        }
        return data;
      });
    }
    return entries;
  }

  // Text as an XML part holds it: markup escaped, and what XML cannot hold (control characters
  // but tab and line breaks, unpaired surrogates, U+FFFE and U+FFFF) left out.
  const xml = (text) =>
    String(text)
      .replace(/(?![\t\n\r])\p{Cc}|\p{Cs}|[\ufffe\uffff]/gu, "")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");

  // What every XML part starts with, and the part that says what a document is and when it was made.
  const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
  const PACKAGE = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties";
  function core(title, when) {
    const moment = when.toISOString().replace(/\.\d+Z$/, "Z");
    const stamp = (name) => `<dcterms:${name} xsi:type="dcterms:W3CDTF">${moment}</dcterms:${name}>`;
    return [
      `${XML}<cp:coreProperties xmlns:cp="${PACKAGE}" xmlns:dc="http://purl.org/dc/elements/1.1/"`,
      ' xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
      `<dc:title>${xml(title)}</dc:title><dc:language>${xml(handbook.i18n.locale)}</dc:language>`,
      `${stamp("created")}${stamp("modified")}</cp:coreProperties>`,
    ].join("");
  }

  handbook.zip = { write, read, crc32, xml, XML, core };
})();
