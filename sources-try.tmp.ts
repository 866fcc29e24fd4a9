import { readFileSync } from 'node:fs';
import { superclue } from './scrapers/superclue.ts';
import { voicebench } from './scrapers/voicebench.ts';
const f = (n: string) => readFileSync(`tests/fixtures/${n}`, 'utf8');
const tryit = (p: typeof superclue, body: string, board: string) => { try { const r = p.parse(body, { board }); console.log('PARSED', r.entries.length, r.entries.map(e=>e.model).join(',')); } catch (e) { console.log((e as Error).message); } };
for (const n of ['truncated.md', 'truncated-mid-row.md', 'renamed-columns.md']) tryit(superclue, f(`superclue/broken/${n}`), 'superclue');
tryit(superclue, f('superclue/readme-2023-07.md').replace('中文大模型总排行榜', '中文大模型排行榜'), 'superclue');
for (const n of ['truncated.md', 'truncated-mid-row.md']) tryit(voicebench, f(`voicebench/broken/${n}`), 'voicebench');
