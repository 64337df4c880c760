import assert from 'node:assert/strict';
import {
  CsvTokenizer, fieldEscapedQuotes, fieldQuoted, recordFieldCount, recordOk, recordTextAfterQuote, recordUnterminatedQuote,
} from '../../ingest/csv-tokenizer.js';

interface Scanned {
  consumed: number;
  records: { line: number; status: number; fields: string[]; flags: number[]; raw: string }[];
}

function scan(text: string, columns: number, options: { final?: boolean; header?: boolean; delimiter?: string } = {}): Scanned {
  const data = Buffer.from(text, 'utf8');
  const tokenizer = new CsvTokenizer(columns, (options.delimiter ?? ',').charCodeAt(0), options.header ?? false);
  const consumed = tokenizer.scan(data, 0, data.length, options.final ?? true);
  const records = [];
  for (let r = 0; r < tokenizer.records; r++) {
    const fields: string[] = [];
    const flags: number[] = [];
    for (let c = 0; c < columns; c++) {
      const f = r * columns + c;
      fields.push(data.toString('utf8', tokenizer.fieldStart[f], tokenizer.fieldEnd[f]));
      flags.push(tokenizer.fieldFlags[f]);
    }
    records.push({
      line: tokenizer.recordLine[r], status: tokenizer.recordStatus[r], fields, flags,
      raw: data.toString('utf8', tokenizer.recordStart[r], tokenizer.recordEnd[r]),
    });
  }
  return { consumed, records };
}

describe('ingest/csv-tokenizer', () => {
  it('splits plain records and fields with LF, CRLF and lone CR line ends', () => {
    const result = scan('a,b\r\nc,d\ne,f\rg,h', 2);
    assert.deepEqual(result.records.map((r) => r.fields), [['a', 'b'], ['c', 'd'], ['e', 'f'], ['g', 'h']]);
    assert.deepEqual(result.records.map((r) => r.line), [1, 2, 3, 4]);
    assert.deepEqual(result.records.map((r) => r.raw), ['a,b\r\n', 'c,d\n', 'e,f\r', 'g,h']);
    assert.equal(result.consumed, 16);
  });

  it('reads quoted fields with delimiters, doubled quotes and line breaks inside', () => {
    const result = scan('"x,1","say ""hi""","two\nlines"\nnext,b,c\n', 3);
    assert.deepEqual(result.records[0].fields, ['x,1', 'say ""hi""', 'two\nlines']);
    assert.deepEqual(result.records[0].flags, [fieldQuoted, fieldQuoted | fieldEscapedQuotes, fieldQuoted]);
    assert.equal(result.records[1].line, 3, 'the line break inside quotes counts as a line');
    assert.deepEqual(result.records[1].fields, ['next', 'b', 'c']);
  });

  it('ignores one trailing empty field (dbgen) but counts any other extra field', () => {
    const result = scan('1|a|\n2|b|x\n3|c\n4\n', 2, { delimiter: '|' });
    assert.deepEqual(result.records.map((r) => r.status), [recordOk, recordFieldCount, recordOk, recordFieldCount]);
    assert.deepEqual(result.records[3].fields, ['4', ''], 'missing fields read as empty so conversion stays uniform');
  });

  it('skips blank lines and the header, keeping line numbers', () => {
    const result = scan('h1,h2\n\n1,2\r\n\r\n3,4\n', 2, { header: true });
    assert.deepEqual(result.records.map((r) => [r.line, ...r.fields]), [[3, '1', '2'], [5, '3', '4']]);
  });

  it('stops before an incomplete record unless the input is final', () => {
    const text = 'a,b\nc,"d\nstill d';
    const partial = scan(text, 2, { final: false });
    assert.equal(partial.records.length, 1);
    assert.equal(partial.consumed, 4);
    const final = scan(text, 2, { final: true });
    assert.equal(final.records[1].status, recordUnterminatedQuote);
    assert.equal(final.consumed, text.length);
  });

  it('waits for the byte after a closing quote or a CR at the end of a chunk', () => {
    assert.equal(scan('a,"b"', 2, { final: false }).consumed, 0);
    assert.equal(scan('a,b\r', 2, { final: false }).consumed, 0);
    assert.equal(scan('a,b\r\n', 2, { final: false }).consumed, 5);
  });

  it('flags text after a closing quote and resumes at the next delimiter', () => {
    const result = scan('"ab"c,d\ne,f\n', 2);
    assert.equal(result.records[0].status, recordTextAfterQuote);
    assert.equal(result.records[0].raw, '"ab"c,d\n');
    assert.deepEqual(result.records[1].fields, ['e', 'f']);
  });

  it('keeps a quote inside an unquoted field as text', () => {
    assert.deepEqual(scan('ab"c,d\n', 2).records[0].fields, ['ab"c', 'd']);
  });

  it('reads an empty quoted field as quoted (not NULL) and an empty unquoted one as empty', () => {
    const record = scan('"",\n', 2).records[0];
    assert.deepEqual(record.fields, ['', '']);
    assert.deepEqual(record.flags, [fieldQuoted, 0]);
  });

  it('grows past its initial capacity', () => {
    const rows = 10_000;
    const result = scan('1,2\n'.repeat(rows), 2);
    assert.equal(result.records.length, rows);
    assert.equal(result.records[rows - 1].line, rows);
  });
});
