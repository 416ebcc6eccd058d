import type { Plugin } from 'graphql-yoga';
import { createGraphQLError } from 'graphql-yoga';

/**
 * Refuses request bodies over `maxBytes` with LIMIT_EXCEEDED (HTTP 413), counting the bytes
 * as they arrive, so that a body without Content-Length cannot get past it either.
 */
export function useRequestSizeLimit(maxBytes: number): Plugin {
  const tooLarge = () =>
    createGraphQLError(`request: the body is over the limit of ${maxBytes} bytes`, {
      extensions: { code: 'LIMIT_EXCEEDED', http: { status: 413 } },
    });
  return {
    onRequestParse({ request, requestParser, setRequestParser }) {
      if (!request.body || !requestParser) return;
      const declared = Number(request.headers.get('content-length') ?? Number.NaN);
      setRequestParser(async (incoming) => {
        if (declared > maxBytes) throw tooLarge();
        const body = await readLimited(incoming, maxBytes);
        if (body === undefined) throw tooLarge();
        return requestParser(
          new Request(incoming.url, { method: incoming.method, headers: incoming.headers, body }),
        );
      });
    },
  };
}

async function readLimited(request: Request, maxBytes: number): Promise<string | undefined> {
  const reader = (request.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
