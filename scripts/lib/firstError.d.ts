export interface FirstError {
  source: string;
  lines: string[];
}

export declare function createErrorCatcher(options?: { maxLines?: number }): {
  feed(source: string, line: string): void;
  firstError(): FirstError | undefined;
};

export declare function firstErrorIn(
  text: string,
  source?: string,
): FirstError | undefined;

export declare function lineSplitter(onLine: (line: string) => void): {
  write(chunk: Buffer | string): void;
  end(): void;
};

export declare function stripAnsi(text: string): string;
