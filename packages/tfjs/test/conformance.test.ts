import { describeConformance } from '@apalu/conformance/vitest';
import { createBackend } from '../src/node.js';
import './tf.js';

describeConformance('tfjs cpu kernel', () => createBackend({ tfBackend: 'cpu', path: 'kernel' }), { large: true });
describeConformance('tfjs cpu kernel fast', () => createBackend({ tfBackend: 'cpu', path: 'kernel', precision: 'fast' }), { large: true });
describeConformance('tfjs cpu kernel js', () => createBackend({ tfBackend: 'cpu', path: 'kernel', cpuEngine: 'js' }));
describeConformance('tfjs cpu composed', () => createBackend({ tfBackend: 'cpu', path: 'composed' }));
describeConformance('tfjs wasm kernel', () => createBackend({ tfBackend: 'wasm', path: 'kernel' }), { large: true });
describeConformance('tfjs wasm kernel fast', () => createBackend({ tfBackend: 'wasm', path: 'kernel', precision: 'fast' }), { large: true });
describeConformance('tfjs wasm composed', () => createBackend({ tfBackend: 'wasm', path: 'composed' }));
