import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// Whole tabs render slowly in jsdom on a busy two-core machine: wait up to
// 10 s (not 1 s) for what a user would see, and give each test 30 s.
configure({ asyncUtilTimeout: 10_000 });
jest.setTimeout(30_000);
