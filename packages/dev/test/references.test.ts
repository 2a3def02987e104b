// apalu-reference-check: fixtures (the broken references below are deliberate)
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkReferences, formatBroken } from '../src/references.js';
import { fixtureRepo, json } from './fixture-repo.js';

describe('reference check', () => {
  it('every relative link and *.md mention in this repository resolves (in the published files where the text ships)', async () => {
    const broken = await checkReferences();
    expect(formatBroken(broken)).toBe('');
  });

  it('fails on references to files that do not exist, or that the package does not ship', async () => {
    const root = fixtureRepo({
      'README.md': 'See [the kit](packages/kit) and [gone](packages/gone/README.md) and `packages/core/SPEC.md`.\nAlso TOOLCHAIN.md.\n',
      'CONTRIBUTING.md': '# Contributing\n',
      '.gitignore': 'results/\n',
      'packages/core/package.json': json({ name: '@apalu/core', version: '0.0.0', files: ['dist', 'README.md', 'SPEC.md'] }),
      'packages/core/README.md': 'The contract is [SPEC.md](SPEC.md); more in [notes](notes.md).\n',
      'packages/core/SPEC.md': '# SPEC\n',
      'packages/core/notes.md': 'not in files\n',
      'packages/core/src/index.ts': "// the layout of SPEC.md\nthrow new Error('bad a (see DESIGN.md)');\n",
      'packages/kit/package.json': json({ name: '@apalu/kit', version: '0.0.0', files: ['dist', 'README.md'] }),
      'packages/kit/README.md':
        "Computes the function of the SPEC.md shipped in\n@apalu/core.\nAccuracy: SPEC.md.\n\nIn node_modules/@apalu/core/SPEC.md and @apalu/kit/SPEC.md. Writes results/x/report.md and report.md.\n",
      'packages/kit/src/run.ts': "const message = 'see CONTRIBUTING.md';\nwriteFileSync('report.md', text);\n",
      'packages/kit/test/a.test.ts': '// see CONTRIBUTING.md at the root (tests do not ship)\n',
      'apps/app/package.json': json({ name: 'app', private: true }),
      'apps/app/src/main.ts': '// SPEC.md\n',
    });
    try {
      const broken = await checkReferences(root);
      expect(formatBroken(broken).split('\n')).toEqual([
        'README.md:1: (packages/gone/README.md) — no such file or folder',
        'README.md:2: TOOLCHAIN.md — no such file next to the file, in its package or at the repository root',
        'apps/app/src/main.ts:1: SPEC.md — no such file next to the file, in its package or at the repository root',
        "packages/core/README.md:1: (notes.md) — exists in the repository but not in @apalu/core's published files, where this text ships",
        'packages/core/src/index.ts:2: DESIGN.md — this text ships in @apalu/core, whose published files have no DESIGN.md (name the package that has it, e.g. "the SPEC.md shipped in @apalu/core")',
        'packages/kit/README.md:3: SPEC.md — this text ships in @apalu/kit, whose published files have no SPEC.md (name the package that has it, e.g. "the SPEC.md shipped in @apalu/core")',
        'packages/kit/README.md:5: @apalu/kit/SPEC.md — @apalu/kit has no SPEC.md in its published files',
        'packages/kit/src/run.ts:1: CONTRIBUTING.md — this text ships in @apalu/kit, whose published files have no CONTRIBUTING.md (name the package that has it, e.g. "the SPEC.md shipped in @apalu/core")',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
