// Loaded into every test worker (tests/vitest.config.ts, `--import`): the same shortcut past
// Node 24's per-module package.json read that src/bin.js takes (src/module-types.ts).
import { registerModuleTypes } from '../../src/module-types.ts';

registerModuleTypes();
