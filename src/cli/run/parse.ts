import { basename } from 'node:path';
import { findBoard } from '../../../scrapers/index.ts';
import { readAttachments, readTextFile } from '../../ingest/run.ts';
import type { CliContext } from '../io.ts';
import { json, requireBoard } from '../shared.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function run({ io }: CliContext, board: string, file: string, options: { attach: Record<string, string> }): Promise<void> {
  requireBoard(board);
  const found = findBoard(board);
  if (!found) return;
  const body = file === '-' ? await readStdin() : await readTextFile(file);
  const attachments = await readAttachments(options.attach);
  const parsed = found.scraper.parse(body, { board, fileName: file === '-' ? undefined : basename(file), attachments });
  io.stdout(json({ board, format: parsed.format, publishedAt: parsed.publishedAt, entries: parsed.entries }));
}
