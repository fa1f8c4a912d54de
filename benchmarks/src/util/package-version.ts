/**
 * Installed version of a dependency, read from its package.json on disk (several libraries do not
 * export `./package.json`, so require.resolve cannot be used). Walks up from benchmarks/ the way
 * Node resolves packages, so hoisted workspace installs are found too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_DIR } from '../cli-options.js';

export function packageVersion(name: string): string {
  for (let dir = BENCH_DIR; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'node_modules', name, 'package.json');
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
    if (path.dirname(dir) === dir) return 'not installed';
  }
}
