/**
 * Updates docs/benchmarks.md in place: the machine block and each measured group's block are
 * replaced between their markers; prose around them (analysis, missed targets) is kept, and
 * groups not measured in this run keep their previous numbers and run line.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Machine } from './environment.ts';
import { type RunInfo, renderGroup, renderMachine } from './report.ts';
import type { GroupResult } from './runner.ts';

const machineStart = '<!-- bench:machine -->';
const machineEnd = '<!-- /bench:machine -->';
const groupsEnd = '<!-- bench:end -->';
const groupStart = (group: string) => `<!-- bench:group ${group} -->`;
const groupEnd = '<!-- /bench:group -->';

const skeleton = `# Benchmarks\n\n${machineStart}\n${machineEnd}\n\n${groupsEnd}\n`;

function replaceBlock(doc: string, start: string, end: string, body: string): string | undefined {
  const from = doc.indexOf(start);
  if (from < 0) return undefined;
  const to = doc.indexOf(end, from + start.length);
  if (to < 0) return undefined;
  return `${doc.slice(0, from)}${start}\n${body}\n${end}${doc.slice(to + end.length)}`;
}

/** Returns `doc` with the machine and the given groups' blocks replaced or appended. */
export function updateDoc(
  doc: string,
  machine: Machine,
  groups: readonly GroupResult[],
  info: RunInfo,
): string {
  let out = doc.includes(groupsEnd) ? doc : `${doc.trimEnd()}\n\n${groupsEnd}\n`;
  out =
    replaceBlock(out, machineStart, machineEnd, renderMachine(machine)) ??
    out.replace(groupsEnd, `${machineStart}\n${renderMachine(machine)}\n${machineEnd}\n\n${groupsEnd}`);
  for (const group of groups) {
    const body = renderGroup(group, info);
    out =
      replaceBlock(out, groupStart(group.group), groupEnd, body) ??
      out.replace(groupsEnd, `${groupStart(group.group)}\n${body}\n${groupEnd}\n\n${groupsEnd}`);
  }
  return out;
}

export function writeDoc(path: string, groups: readonly GroupResult[], info: RunInfo): void {
  const doc = existsSync(path) ? readFileSync(path, 'utf8') : skeleton;
  writeFileSync(path, updateDoc(doc, info.machine, groups, info));
}
