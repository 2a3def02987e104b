/** The error-code check: every code the packages throw is in @apalu/core's APALU_ERROR_CODES, from the class of its kind, and every listed code is thrown somewhere. */
import { readFileSync } from 'node:fs';
import { APALU_ERROR_CODES, type ApaluErrorKind } from '@apalu/core';
import { sourceFiles } from './structure.js';
import { REPO_ROOT, rel } from './workspace.js';

/** The error classes of the packages, by kind (subclasses of ApaluInputError and ApaluEnvironmentError). */
export const ERROR_CLASSES: Readonly<Record<string, ApaluErrorKind>> = {
  ApaluInputError: 'input',
  ExportError: 'input',
  ApaluTrainingError: 'input',
  ApaluEnvironmentError: 'environment',
  ApaluGpuError: 'environment',
};

export interface ThrownCode {
  /** Repository-relative path. */
  file: string;
  line: number;
  /** The class constructed (for `super('E_…'`, the class the file declares). */
  className: string;
  code: string;
}

export interface ErrorCodeReport {
  thrown: ThrownCode[];
  problems: string[];
}

const NEW_ERROR = /new\s+(\w+)\(\s*'(E_[A-Z0-9_]+)'/g;
const SUPER_CODE = /super\(\s*'(E_[A-Z0-9_]+)'/g;
const DECLARED_CLASS = /class\s+(\w+)\s+extends\s+\w+/;

/** Every `new SomeError('E_…'` and `super('E_…'` in the source files of the published packages under `root` (the files the structure check reads). */
export function thrownCodes(root = REPO_ROOT): ThrownCode[] {
  const found: ThrownCode[] = [];
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, 'utf8');
    const lineOf = (index: number) => text.slice(0, index).split('\n').length;
    const path = rel(root, file);
    for (const m of text.matchAll(NEW_ERROR)) found.push({ file: path, line: lineOf(m.index), className: m[1]!, code: m[2]! });
    const declared = DECLARED_CLASS.exec(text)?.[1] ?? '(no class)';
    for (const m of text.matchAll(SUPER_CODE)) found.push({ file: path, line: lineOf(m.index), className: declared, code: m[1]! });
  }
  return found;
}

/**
 * Checks `thrown` against the code list: a code missing from it, a code thrown by a class of the
 * other kind (or by a class that is not an @apalu error class), a listed code nobody throws.
 */
export function checkErrorCodes(thrown: ThrownCode[] = thrownCodes(), codes: Readonly<Record<string, { kind: ApaluErrorKind }>> = APALU_ERROR_CODES): ErrorCodeReport {
  const problems: string[] = [];
  for (const t of thrown) {
    const where = `${t.file}:${t.line}`;
    const listed = Object.hasOwn(codes, t.code) ? codes[t.code]! : undefined;
    const kind = Object.hasOwn(ERROR_CLASSES, t.className) ? ERROR_CLASSES[t.className] : undefined;
    if (listed === undefined) {
      problems.push(`${where}: ${t.code} is not in @apalu/core's APALU_ERROR_CODES; add it there with its kind and meaning, or use a listed code that means the same`);
    } else if (kind === undefined) {
      problems.push(`${where}: ${t.code} is thrown as a ${t.className}; throw ApaluInputError or ApaluEnvironmentError (or a subclass) so callers can tell input from environment`);
    } else if (kind !== listed.kind) {
      problems.push(`${where}: ${t.code} is an ${listed.kind} code but is thrown as ${t.className} (${kind}); use the class of its kind or another code`);
    }
  }
  const used = new Set(thrown.map((t) => t.code));
  for (const code of Object.keys(codes)) {
    if (!used.has(code)) problems.push(`${code} is listed in APALU_ERROR_CODES but no package throws it; remove it or throw it`);
  }
  return { thrown, problems };
}
