import { CsvError, parse } from 'csv-parse/sync';
import { ParseError } from '../../src/errors.ts';

/** A CSV table: its header and its data rows as arrays of cells. */
export interface CsvTable {
  header: string[];
  rows: string[][];
}

/**
 * Parses CSV text whose first line is a header. A row with a different number of cells (a file
 * cut off mid-row, a stray quote) is a ParseError naming the line.
 */
export function readCsv(text: string, expected: string): CsvTable {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][];
  } catch (error) {
    if (error instanceof CsvError) throw new ParseError(expected, `malformed CSV (${error.message})`, { cause: error });
    throw error;
  }
  const [header, ...rows] = records;
  if (!header) throw new ParseError(expected, 'an empty CSV file');
  return { header: header.map((cell) => cell.trim()), rows };
}
