import { CSRF_HEADER } from '@syncline/schema';
import { describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases';
import { useTestGateway } from './support/gateway-client';
import { pullAll } from './support/sync-calls';

const pglite = databaseKinds[0] as (typeof databaseKinds)[number];

/** A GraphQL multipart request (file uploads), as `graphql-upload` clients send it. */
function multipartBody() {
  const form = new FormData();
  const query =
    'mutation { insertTodoItem(input: { id: "from-multipart", text: "x" }) { status } }';
  form.set('operations', JSON.stringify({ query, variables: { file: null } }));
  form.set('map', JSON.stringify({ 0: ['variables.file'] }));
  form.set('0', new Blob(['a file'], { type: 'text/plain' }), 'notes.txt');
  return form;
}

describe('multipart requests', () => {
  const suite = useTestGateway(pglite);

  it('are refused with 415 and a message saying what to send instead; nothing runs', async () => {
    const response = await suite.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { [CSRF_HEADER]: 'test' },
      body: multipartBody(),
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({
      errors: [
        {
          message:
            'request: multipart requests (file uploads) are not accepted; send the operation as JSON (content-type: application/json)',
          extensions: { code: 'BAD_USER_INPUT' },
        },
      ],
    });
    expect((await pullAll(suite.gateway, 'pullTodoItems')).rows).toEqual([]);
  });

  it('without the CSRF header are refused by the CSRF check first (403)', async () => {
    const response = await suite.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      body: multipartBody(),
    });
    expect(response.status).toBe(403);
  });
});
