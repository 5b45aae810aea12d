// Writes media/webview/chime.wav: a soft two-partial bell (A5 with a fifth above, quick attack, long decay),
// 1.5 s, 16 kHz mono 16-bit PCM. Deterministic: the same bytes on every run. `node scripts/make-chime.mjs`
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const rate = 16_000;
const seconds = 1.5;
const n = Math.round(rate * seconds);
const pcm = Buffer.alloc(n * 2);
for (let i = 0; i < n; i++) {
  const t = i / rate;
  const attack = Math.min(1, t / 0.012);
  const tail = Math.min(1, (seconds - t) / 0.05); // no click at the end
  const tone = 0.7 * Math.sin(2 * Math.PI * 880 * t) * Math.exp(-t * 3.2) + 0.3 * Math.sin(2 * Math.PI * 1320 * t) * Math.exp(-t * 5);
  const v = Math.round(0.28 * attack * tail * tone * 32767);
  pcm.writeInt16LE(Math.max(-32768, Math.min(32767, v)), i * 2);
}
const header = Buffer.alloc(44);
header.write('RIFF', 0);
header.writeUInt32LE(36 + pcm.length, 4);
header.write('WAVE', 8);
header.write('fmt ', 12);
header.writeUInt32LE(16, 16);
header.writeUInt16LE(1, 20); // PCM
header.writeUInt16LE(1, 22); // mono
header.writeUInt32LE(rate, 24);
header.writeUInt32LE(rate * 2, 28);
header.writeUInt16LE(2, 32);
header.writeUInt16LE(16, 34);
header.write('data', 36);
header.writeUInt32LE(pcm.length, 40);
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'media', 'webview', 'chime.wav');
writeFileSync(out, Buffer.concat([header, pcm]));
console.log(`wrote ${out} (${header.length + pcm.length} bytes)`);
