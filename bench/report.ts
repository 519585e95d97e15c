import type { LoadResult } from './load-result.js';

export interface BenchReport {
  startedAt: string;
  command: string;
  machine: { cpus: string; cores: number; memoryGb: number; os: string; node: string };
  settings: Record<string, Record<string, string>>;
  notes: string[];
  results: LoadResult[];
  scale: ScaleFinding[];
  limits: string[];
  /** Outbox throughput with two transports configured against one (failover-scenarios.ts). */
  failover?: string[];
}

export interface ScaleFinding {
  database: string;
  finding: string;
  pass: boolean;
}

const columns = [
  'database',
  'scenario',
  'conns',
  'req/s',
  'of baseline',
  'p50 ms',
  'p99 ms',
  'errors',
  'peak RSS MB',
  'server CPU ms/req',
] as const;

export function markdownReport(report: BenchReport): string {
  const lines = [
    `## otp-app benchmark — ${report.startedAt}`,
    '',
    `\`${report.command}\` on ${report.machine.cpus} (${report.machine.cores} cores, ${report.machine.memoryGb} GB), ${report.machine.os}, Node ${report.machine.node}`,
    '',
    `| ${columns.join(' | ')} |`,
    `|${columns.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`,
  ];
  for (const row of report.results) {
    const share = row.ofBaseline === undefined ? '' : `${(row.ofBaseline * 100).toFixed(1)}%`;
    lines.push(
      `| ${row.database} | ${row.scenario} | ${row.connections} | ${row.perSecond} | ${share} | ${row.p50Ms} | ${row.p99Ms} | ${row.errors} | ${row.peakRssMb} | ${row.cpuMsPerRequest} |`,
    );
  }
  const notes = report.results
    .filter((row) => row.note !== undefined)
    .map((row) => `${row.database} ${row.scenario}: ${row.note}`);
  const section = (title: string, items: string[]) =>
    items.length === 0 ? [] : ['', `**${title}**`, '', ...items.map((item) => `- ${item}`)];
  lines.push(...section('Per scenario', notes));
  lines.push(
    ...section(
      'Scale',
      report.scale.map((s) => `${s.database}: ${s.finding} — ${s.pass ? 'PASS' : 'FAIL'}`),
    ),
  );
  lines.push(...section('Limits under load (default limits)', report.limits));
  lines.push(...section('Outbox with two transports (failover configured, primary healthy) against one', report.failover ?? []));
  lines.push(
    ...section(
      'Settings',
      Object.entries(report.settings).map(
        ([name, values]) =>
          `${name}: ${Object.entries(values)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}`,
      ),
    ),
  );
  lines.push(...section('Notes', report.notes));
  return `${lines.join('\n')}\n`;
}
