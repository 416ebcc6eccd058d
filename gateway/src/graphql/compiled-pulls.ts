import {
  type DocumentNode,
  type ExecutionArgs,
  type FieldNode,
  type GraphQLField,
  type GraphQLLeafType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  getVariableValues,
  isLeafType,
  isNonNullType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from './builder';
import { PULL_RESOLVER, type PullResolver } from './pull-fields';

/**
 * Pulls are the gateway's hot path: a page is a thousand rows of a dozen fields, and
 * executing it field by field (resolver, info object, argument values, completion, for
 * every one) cost more than reading the rows from Postgres. An operation that is one
 * `pull<Table>s` field selecting plain fields is run here without that: the field's own
 * resolver (the same code, see `PULL_RESOLVER`), then each row's selected fields through
 * their scalar's `serialize`, in the selection's order.
 *
 * Anything else (fragments, directives, `__typename`, several root fields) takes the
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
        return result;
      });
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

type PagePart = 'rows' | 'cursor' | 'hasMore' | 'movedOut';
const PAGE_PARTS = new Set<string>(['rows', 'cursor', 'hasMore', 'movedOut'] satisfies PagePart[]);
const isPagePart = (name: string): name is PagePart => PAGE_PARTS.has(name);

interface PullPlan {
  operation: OperationDefinitionNode;
  field: GraphQLField<unknown, unknown>;
  fieldNode: FieldNode;
  resolve: PullResolver;
  /** The page's selections in order: response key, what it is, and its scalar. */
  page: { key: string; part: PagePart; type: GraphQLLeafType | null }[];
  /** The row's selections in order: response key, field name, scalar, non-null. */
  row: { key: string; name: string; type: GraphQLLeafType; nonNull: boolean }[];
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
  const resolve = field?.extensions?.[PULL_RESOLVER] as PullResolver | undefined;
  const pageType = field && getNamedType(field.type);
  if (!field || !resolve || !isObjectType(pageType) || !fieldNode.selectionSet) return null;

  const page: PullPlan['page'] = [];
  let row: PullPlan['row'] | null = [];
  for (const node of plainFields(fieldNode.selectionSet) ?? []) {
    const name = node.name.value;
    if (!isPagePart(name)) return null;
    const type = getNamedType(pageType.getFields()[name]?.type);
    page.push({ key: node.alias?.value ?? name, part: name, type: isLeafType(type) ? type : null });
    if (name === 'rows') {
      const rowType = getNamedType(pageType.getFields().rows?.type);
      if (!isObjectType(rowType) || !node.selectionSet) return null;
      row = rowSelections(rowType, node.selectionSet);
    }
  }
  // A key selected twice would need GraphQL's merging of the two selections.
  if (!row || page.length === 0 || new Set(page.map((entry) => entry.key)).size < page.length) {
    return null;
  }
  return { operation, field, fieldNode, resolve, page, row };
}

/** The selections when all are fields without directives, none of them `__typename` & co. */
function plainFields(selectionSet: SelectionSetNode): FieldNode[] | null {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || selection.directives?.length) return null;
    if (selection.name.value.startsWith('__')) return null;
    fields.push(selection);
  }
  return fields;
}

function rowSelections(rowType: GraphQLObjectType, selectionSet: SelectionSetNode) {
  const selections: PullPlan['row'] = [];
  const fields = rowType.getFields();
  for (const node of plainFields(selectionSet) ?? [null]) {
    const field = node && fields[node.name.value];
    const type = field && getNamedType(field.type);
    if (!node || !field || !isLeafType(type) || node.arguments?.length || node.selectionSet) {
      return null;
    }
    selections.push({
      key: node.alias?.value ?? node.name.value,
      name: node.name.value,
      type,
      nonNull: isNonNullType(field.type),
    });
  }
  return selections;
}

async function run(plan: PullPlan, args: ExecutionArgs) {
  const variables = getVariableValues(
    args.schema,
    plan.operation.variableDefinitions ?? [],
    (args.variableValues ?? {}) as Record<string, unknown>,
  );
  if (variables.errors) throw variables.errors[0];
  const fieldArgs = getArgumentValues(plan.field, plan.fieldNode, variables.coerced);
  const result = await plan.resolve(fieldArgs, args.contextValue as GatewayContext);
  const rows = result.rows.map((source) => {
    const out: Record<string, unknown> = {};
    for (const { key, name, type, nonNull } of plan.row) {
      const value = source[name];
      if (value == null) {
        if (nonNull) throw new Error(`${name} is null`);
        out[key] = null;
      } else {
        out[key] = type.serialize(value);
      }
    }
    return out;
  });
  const page: Record<string, unknown> = {};
  for (const { key, part, type } of plan.page) {
    if (part === 'rows') page[key] = rows;
    else if (part === 'movedOut') page[key] = result.movedOut.map((id) => type?.serialize(id));
    else page[key] = type?.serialize(result[part]);
  }
  return { data: { [plan.fieldNode.alias?.value ?? plan.fieldNode.name.value]: page } };
}
