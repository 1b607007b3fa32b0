import { setFlagsFromString } from 'node:v8';

/**
 * Streaming gigabytes allocates a 64 KiB buffer per socket read. With V8's concurrent array-buffer
 * sweeping those buffers stay counted after each scavenge, the count reads as external memory
 * pressure, and V8 runs a full mark-compact of the whole heap again and again during an upload
 * (README, "Bytes", has the figures). Sweeping them during the scavenge instead keeps that to a
 * handful. Call once, first thing in a process that moves file bytes.
 */
export function tuneGarbageCollectorForStreaming(): void {
  setFlagsFromString('--no-concurrent-array-buffer-sweeping');
}
