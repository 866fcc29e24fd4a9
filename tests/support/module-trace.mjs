// Preloaded with `node --import`: writes the URL of every module the process loaded, one a line,
// to the file named by RANKWATCH_TEST_MODULE_TRACE when the process exits (appended: src/bin.js's
// launcher passes the preload on to the command it runs, and both write their lists).
import module from 'node:module';
import { writeFileSync } from 'node:fs';

const loaded = new Set();
module.registerHooks({
  load(url, context, next) {
    loaded.add(url);
    return next(url, context);
  },
});
process.on('exit', () => writeFileSync(process.env.RANKWATCH_TEST_MODULE_TRACE, [...loaded].map((url) => `${url}\n`).join(''), { flag: 'a' }));
