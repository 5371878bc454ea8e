/**
 * Preloaded (`node --import`) into the measured process: at exit, writes its peak resident set
 * size (KB) to the file named by BENCH_RSS_FILE. Portable, unlike /usr/bin/time -v.
 */
import fs from 'node:fs';

const out = process.env.BENCH_RSS_FILE;
if (out) process.on('exit', () => fs.writeFileSync(out, String(process.resourceUsage().maxRSS)));
