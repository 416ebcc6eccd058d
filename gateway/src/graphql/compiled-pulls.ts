import {
  type DirectiveNode,
  type DocumentNode,
  type ExecutionArgs,
  type FieldNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  getVariableValues,
  isLeafType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { type Plugin, processRegularResult } from 'graphql-yoga';
import type { JsonRows } from '../sync/json-rows';
import type { PullProjection } from '../sync/pull-projection';
import type { RowField } from '../sync/row-json';
import type { GatewayContext } from './builder';
import {
  jsonMediaType,
  type PagePart,
  type PageSelection,
  type PullAnswer,
  pullAnswer,
} from './pull-answer';
import { PULL_FIELD, type PullFieldExtension } from './pull-fields';
import { acceptsMultipart, MULTIPART_TYPE } from './pull-stream';

/**
 * Pulls are the gateway's hot path: a page is a thousand rows of a dozen fields, and
 * executing it field by field (resolver, info object, argument values, completion, for
 * every one), then making JSON of the result, cost several times what reading the rows
 * from Postgres costs. An operation that is one `pull<Table>s` field selecting plain
 * fields is run here without that: the field's own resolver (the same code, see
 * `PULL_FIELD`), with each row read from Postgres as the JSON text GraphQL would have
 * written for it (the selected fields, in order, under their response keys: see
 * sync/pull-json.ts); the answer is those texts put together (see `answer`).
 *
 * `rows` may carry a plain `@stream`: the answer then goes in parts (pull-stream.ts).
 * Anything else (fragments, other directives, `__typename`, several root fields) takes the
 * normal path, and so does a compiled pull that throws: a pull writes nothing, so it is
 * simply executed again by GraphQL, which reports the error exactly as always.
 *
 * The client's own pull (`pullDocument` of @syncline/schema) must always take this path:
 * `onPull` hears how each plannable pull was answered (the gateway's metrics count it), and
 * the tests check it for the client's document.
 */
export function useCompiledPulls(options: CompiledPullsOptions = {}): Plugin {
  const plans = new WeakMap<DocumentNode, Map<string | undefined, PullPlan | null>>();
  const planOf = (args: ExecutionArgs) => {
    const byOperation = plans.get(args.document) ?? new Map<string | undefined, PullPlan | null>();
    plans.set(args.document, byOperation);
    const name = args.operationName ?? undefined;
    if (!byOperation.has(name)) byOperation.set(name, planPull(args.schema, args.document, name));
    return byOperation.get(name) ?? null;
  };
  const answers = new WeakSet<object>();
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const plan = planOf(args);
      if (!plan) return;
      const field = plan.field.name;
      setExecuteFn(async (executionArgs) => {
        let result: Awaited<ReturnType<typeof run>>;
        try {
          result = await run(plan, executionArgs);
        } catch {
          options.onPull?.(field, 'graphql');
          return executeFn(executionArgs);
        }
        options.onPull?.(field, 'compiled');
        answers.add(result);
        return result;
      });
    },
    onResultProcess({ request, result, resultProcessor, setResultProcessor }) {
      if (!answers.has(result)) return;
      const answer = result as PullAnswer;
      // Rows asked for with `@stream`, by a client that reads `multipart/mixed`: in parts.
      const streamed = acceptsMultipart(request) ? answer.streamed() : undefined;
      if (streamed) {
        const headers = { 'content-type': MULTIPART_TYPE };
        setResultProcessor(
          (_result, fetchAPI) => new fetchAPI.Response(streamed, { headers }),
          'multipart/mixed',
        );
        return;
      }
      // Yoga's JSON writer would make one string of the page and encode it twice (once to
      // measure it): the page goes as bytes instead, under the media type Yoga chose.
      if (resultProcessor !== processRegularResult) return;
      const mediaType = jsonMediaType(request);
      if (!mediaType) return;
      setResultProcessor(
        (_result, fetchAPI) =>
          new fetchAPI.Response(answer.body(), {
            headers: { 'content-type': `${mediaType}; charset=utf-8` },
          }),
        mediaType,
      );
    },
  };
}

export interface CompiledPullsOptions {
  /**
   * Called for every pull simple enough to compile, with its root field (`pullTodoItems`)
   * and how it was answered: `compiled`, or `graphql` when the compiled attempt threw (an
   * error, which GraphQL then reports).
   */
  onPull?(field: string, path: 'compiled' | 'graphql'): void;
}

const PAGE_PARTS = new Set<string>(['rows', 'cursor', 'hasMore', 'movedOut'] satisfies PagePart[]);
const isPagePart = (name: string): name is PagePart => PAGE_PARTS.has(name);

interface PullPlan {
  operation: OperationDefinitionNode;
  field: GraphQLField<unknown, unknown>;
  fieldNode: FieldNode;
  pull: PullFieldExtension;
  /** What the answer holds, in the order selected. */
  answer: PageSelection;
  /** Rows as the JSON text of the fields selected. */
  rows: PullProjection<JsonRows>;
}

/** How to run an operation as a compiled pull; null when it is not one (then GraphQL runs it). */
export function planPull(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
): PullPlan | null {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (document.definitions.length !== operations.length) return null;
  const operation =
    operationName === undefined
      ? operations.length === 1
        ? operations[0]
        : undefined
      : operations.find((each) => each.name?.value === operationName);
  if (operation?.operation !== 'query' || operation.directives?.length) return null;
  const [fieldNode, ...others] = plainFields(operation.selectionSet) ?? [];
  const queryType = schema.getQueryType();
  if (!fieldNode || others.length || !queryType) return null;
  const field = queryType.getFields()[fieldNode.name.value];
  const pull = field?.extensions?.[PULL_FIELD] as PullFieldExtension | undefined;
  const pageType = field && getNamedType(field.type);
  if (!field || !pull || !isObjectType(pageType) || !fieldNode.selectionSet) return null;

  const parts: PageSelection['parts'][number][] = [];
  let row: RowField[] | null = [];
  let stream = false;
  for (const node of plainFields(fieldNode.selectionSet, 'rows') ?? []) {
    const name = node.name.value;
    if (!isPagePart(name)) return null;
    const type = getNamedType(pageType.getFields()[name]?.type);
    parts.push({
      key: node.alias?.value ?? name,
      part: name,
      type: isLeafType(type) ? type : null,
    });
    if (name === 'rows') {
      const rowType = getNamedType(pageType.getFields().rows?.type);
      if (!isObjectType(rowType) || !node.selectionSet) return null;
      row = rowSelections(rowType, node.selectionSet);
      stream = node.directives?.length === 1;
    }
  }
  // A key selected twice would need GraphQL's merging of the two selections.
  if (!row || parts.length === 0 || new Set(parts.map((entry) => entry.key)).size < parts.length) {
    return null;
  }
  const key = fieldNode.alias?.value ?? fieldNode.name.value;
  const answer = { key, list: pull.list, parts, stream };
  return { operation, field, fieldNode, pull, answer, rows: pull.jsonRows(row) };
}

/**
 * The selections when all are fields without directives, none of them `__typename` & co.;
 * but the field named `streamed` may carry a plain `@stream` (see pull-stream.ts).
 */
function plainFields(selectionSet: SelectionSetNode, streamed?: string): FieldNode[] | null {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || selection.name.value.startsWith('__')) return null;
    const directives = selection.directives ?? [];
    const allowed = selection.name.value === streamed && directives.every(plainStream);
    if (directives.length > (allowed ? 1 : 0)) return null;
    fields.push(selection);
  }
  return fields;
}

/**
 * `@stream` that streams every item and adds nothing to the parts: no `label`, `if` only
 * as `true` and `initialCount` only as 0 (anything else, variables too, is left to GraphQL).
 */
function plainStream(directive: DirectiveNode): boolean {
  if (directive.name.value !== 'stream') return false;
  return (directive.arguments ?? []).every(({ name, value }) =>
    name.value === 'if'
      ? value.kind === Kind.BOOLEAN && value.value
      : name.value === 'initialCount' && value.kind === Kind.INT && Number(value.value) === 0,
  );
}

/** The row's fields in order (a row's fields are its columns, under the same names). */
function rowSelections(rowType: GraphQLObjectType, selectionSet: SelectionSetNode) {
  const selections: RowField[] = [];
  const fields = rowType.getFields();
  for (const node of plainFields(selectionSet) ?? [null]) {
    const field = node && fields[node.name.value];
    if (!node || !field || !isLeafType(getNamedType(field.type))) return null;
    if (node.arguments?.length || node.selectionSet) return null;
    selections.push({ key: node.alias?.value ?? node.name.value, column: node.name.value });
  }
  return selections;
}

async function run(plan: PullPlan, args: ExecutionArgs): Promise<PullAnswer> {
  const variables = getVariableValues(
    args.schema,
    plan.operation.variableDefinitions ?? [],
    (args.variableValues ?? {}) as Record<string, unknown>,
  );
  if (variables.errors) throw variables.errors[0];
  const fieldArgs = getArgumentValues(plan.field, plan.fieldNode, variables.coerced);
  const pages = await plan.pull.resolve(fieldArgs, args.contextValue as GatewayContext, plan.rows);
  return pullAnswer(plan.answer, pages);
}
