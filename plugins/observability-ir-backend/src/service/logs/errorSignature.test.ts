import { errorSignature, maskVariables } from './errorSignature';

describe('errorSignature', () => {
  it('groups the lab OutOfMemoryError by exception class and message', () => {
    const a = errorSignature(
      '2026-11-25T23:24:10.016Z ERROR 1 --- [ catalog-loader] com.example.checkoutapi.catalog.CatalogC : Unrecoverable error while warming up the catalog cache: java.lang.OutOfMemoryError: Java heap space',
    );
    const b = errorSignature(
      '2026-11-25T23:20:59.516Z ERROR 1 --- [ worker-3] c.e.checkout.Orders : java.lang.OutOfMemoryError: Java heap space',
    );
    expect(a).toEqual({
      exceptionClass: 'java.lang.OutOfMemoryError',
      signature: 'java.lang.OutOfMemoryError: Java heap space',
    });
    expect(b).toEqual(a);
  });

  it('masks numbers, ids and addresses so one error is one group', () => {
    const first = errorSignature(
      'java.net.SocketTimeoutException: connect timed out to 10.0.3.7:5432 after 3000 ms (request 4f1c2a9e-1b2c-4d3e-8f90-123456789abc)',
    );
    const second = errorSignature(
      'java.net.SocketTimeoutException: connect timed out to 10.0.9.1:5432 after 2999 ms (request 00000000-1b2c-4d3e-8f90-123456789abc)',
    );
    expect(first.signature).toBe(
      'java.net.SocketTimeoutException: connect timed out to <ip> after <n> ms (request <id>)',
    );
    expect(second).toEqual(first);
  });

  it('uses the message itself when no exception is named', () => {
    expect(
      errorSignature(
        '2026-11-25T10:00:00Z level=error msg="order 812 failed: card declined"',
      ),
    ).toEqual({
      signature: 'level=error msg="order <n> failed: card declined"',
    });
  });

  it('masks hexadecimal addresses', () => {
    expect(maskVariables('panic at 0x7ffde4a0 in goroutine 12')).toBe(
      'panic at <addr> in goroutine <n>',
    );
  });
});
