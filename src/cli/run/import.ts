import { existsSync } from 'node:fs';
import { readParameter } from '../../api/routing.ts';
import { TimeSchema } from '../../api/schemas.ts';
import { identityFor, openStore } from '../../context.ts';
import { describeCapture } from '../../diff/describe.ts';
import { describeError, NotFoundError } from '../../errors.ts';
import { importFiles, planImport, readAttachments } from '../../ingest/run.ts';
import { shortTime } from '../format.ts';
import { EXIT, type CliContext, type CliIo } from '../io.ts';
import { configOf, json, requireBoard, untilShutdown } from '../shared.ts';

function progress(io: CliIo, done: number, total: number, current: string): void {
  if (total < 2) return;
  if (io.stderrIsTty) {
    io.stderr(done >= total ? '\r\x1b[K' : `\r\x1b[K[${done + 1}/${total}] ${current}`);
  } else if (done > 0 && done < total && done % 10 === 0) {
    io.stderr(`import: ${done}/${total} files\n`);
  }
}

export async function run({ io, setExit }: CliContext, board: string, files: string[], options: { at?: string; attach: Record<string, string>; failFast?: boolean; json?: boolean }): Promise<void> {
  requireBoard(board);
  const at = readParameter(TimeSchema, '--at', options.at);
  // A missing file is one failed file, like a malformed one: it need not have a date to be reported as missing.
  const present = files.filter((file) => existsSync(file));
  const missing = files.filter((file) => !existsSync(file));
  const plan = planImport(present, at);
  // Read once up front: every file needs them, so a missing one stops the import before anything is written.
  await readAttachments(options.attach);
  const settings = configOf(io);
  const identity = identityFor(settings);
  const results: Record<string, unknown>[] = [];
  const failures: { file: string; error: string }[] = [];
  const fail = (file: string, capturedAt: Date | null, error: unknown) => {
    const message = describeError(error);
    failures.push({ file, error: message });
    results.push({ file, capturedAt: capturedAt?.toISOString() ?? null, status: 'failed', error: message });
    io.stderr(`${capturedAt ? `${shortTime(capturedAt.toISOString())}  ` : ''}${file}  failed: ${message}\n`);
  };
  const total = files.length;
  for (const file of missing) fail(file, null, new NotFoundError(`no such file: ${file}`));
  let imported = 0;
  let quarantined = 0;
  let stoppedBy: string | null = options.failFast && failures.length > 0 ? '--fail-fast' : null;
  const started = Date.now();
  if (!stoppedBy) {
    const database = await openStore(settings, 'import');
    try {
      await untilShutdown(io, async (signal) => {
        // Files newer than the board's history are stored a batch at a time (src/ingest/run.ts,
        // importFiles); a signal or --fail-fast stops between files: what is stored is stored whole.
        const failFast = new AbortController();
        let reported = 0;
        progress(io, 0, plan.length, plan[0]?.path ?? '');
        await importFiles(
          database.db,
          board,
          plan,
          { attachments: options.attach, identity, settle: settings.boards.get(board)?.settle, signal: AbortSignal.any([signal, failFast.signal]) },
          ({ item, result, error }) => {
            reported++;
            if (!result) {
              progress(io, plan.length, plan.length, '');
              fail(item.path, item.capturedAt, error);
              if (options.failFast) failFast.abort('--fail-fast');
              return;
            }
            progress(io, reported, plan.length, plan[reported]?.path ?? '');
            imported++;
            if (result.status === 'quarantined') quarantined++;
            results.push({
              file: item.path,
              capturedAt: item.capturedAt.toISOString(),
              status: result.status,
              entries: result.rowCount,
              events: result.events.length,
              ...(result.reasons.length > 0 ? { reasons: result.reasons } : {}),
            });
            if (!options.json) io.stdout(`${shortTime(item.capturedAt.toISOString())}  ${item.path}  ${describeCapture(result)}\n`);
          },
        );
        if (failFast.signal.aborted) stoppedBy = '--fail-fast';
        else if (signal.aborted && imported + failures.length < total) stoppedBy = String(signal.reason);
      });
    } finally {
      progress(io, plan.length, plan.length, '');
      await database.close();
    }
  }
  if (options.json) io.stdout(json(results));
  const held = quarantined > 0 ? ` (${quarantined} quarantined: see \`rankwatch quarantine --board ${board}\`)` : '';
  if (total > 1 || quarantined > 0 || failures.length > 0) {
    io.stderr(`imported ${imported} of ${total} files into ${board}${held} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  const skipped = total - imported - failures.length;
  if (stoppedBy) io.stderr(`${stoppedBy === '--fail-fast' ? 'stopped at the first failure (--fail-fast)' : `${stoppedBy}: stopped`}: ${skipped} file${skipped === 1 ? '' : 's'} not imported\n`);
  if (failures.length > 0 && total > 1) {
    io.stderr(`${failures.length} file${failures.length === 1 ? '' : 's'} failed:\n`);
    for (const { file, error } of failures) io.stderr(`  ${error.includes(file) ? error : `${file}: ${error}`}\n`);
  }
  if (failures.length > 0 || stoppedBy) setExit(EXIT.failure);
}
