import { cpus, hostname, loadavg } from 'node:os';

import type { Figure } from './figure';
import { describeTarget, formatNumber, meetsTarget } from './figure';
import type { LatencyPanel } from './latency-chart';

/** What one bench of a suite run came to: its result, or why there is none. */
export type BenchOutcome =
  | { readonly name: string; readonly result: Record<string, unknown>; readonly seconds: number }
  | { readonly name: string; readonly error: string; readonly seconds: number };

/** The machine's state when a suite started and ended: figures on a shared host need it. */
export interface SuiteConditions {
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly loadAtStart: readonly number[];
  readonly loadAtEnd: readonly number[];
}

export function currentLoad(): readonly number[] {
  return loadavg();
}

function figuresOf(outcome: BenchOutcome): readonly Figure[] | undefined {
  if (!('result' in outcome)) return undefined;
  const figures = outcome.result.figures;
  return Array.isArray(figures) ? (figures as Figure[]) : undefined;
}

export function latencyPanelsOf(outcomes: readonly BenchOutcome[]): LatencyPanel[] {
  return outcomes.flatMap((outcome) => {
    const panels = 'result' in outcome ? outcome.result.latency : undefined;
    return Array.isArray(panels) ? (panels as LatencyPanel[]) : [];
  });
}

/** Whether every bench ran and every figure with a target met it. */
export function suitePassed(outcomes: readonly BenchOutcome[]): boolean {
  return outcomes.every(
    (outcome) =>
      'result' in outcome && (figuresOf(outcome) ?? []).every((f) => meetsTarget(f) !== false),
  );
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function rowsOf(outcome: BenchOutcome): string[] {
  if ('error' in outcome)
    return [`| ${outcome.name} | did not run | | | | **FAIL**: ${cell(outcome.error)} |`];
  const figures = figuresOf(outcome);
  if (!figures)
    return [`| ${outcome.name} | no figures reported, see \`${outcome.name}.json\` | | | | |`];
  return figures.map((figure) => {
    const verdict = meetsTarget(figure);
    return `| ${outcome.name} | ${cell(figure.name)} | ${formatNumber(figure.value)} ${figure.unit} | ${cell(figure.baseline ?? '')} | ${describeTarget(figure.target, figure.unit)} | ${verdict === undefined ? '' : verdict ? 'pass' : '**FAIL**'} |`;
  });
}

/** The suite's Markdown summary: one row per figure, with its baseline, target and verdict. */
export function summaryMarkdown(
  outcomes: readonly BenchOutcome[],
  conditions: SuiteConditions,
): string {
  const load = (values: readonly number[]) => values.map((value) => value.toFixed(2)).join(', ');
  const minutes = (conditions.finishedAt.getTime() - conditions.startedAt.getTime()) / 60_000;
  return [
    '# Benchmark summary',
    '',
    `Run ${conditions.startedAt.toISOString()} on ${hostname()} (${cpus().length} cores, Node ${process.version}), ${minutes.toFixed(1)} minutes.`,
    `Load average (1, 5, 15 min) at the start: ${load(conditions.loadAtStart)}; at the end: ${load(conditions.loadAtEnd)}.`,
    '',
    '| bench | figure | value | baseline / ratio | target | result |',
    '| --- | --- | --- | --- | --- | --- |',
    ...outcomes.flatMap(rowsOf),
    '',
    `Benches: ${outcomes.map((outcome) => `${outcome.name} ${Math.round(outcome.seconds)} s`).join(', ')}.`,
    'Details in `<bench>.json`; latency distributions in `latency.svg`.',
    '',
  ].join('\n');
}
