import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GraphQLError, ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { syncError } from '../graphql/errors';
import type { GatewayLimits } from '../graphql/limits';

type QueryLimit = 'maxDepth' | 'maxAliases' | 'maxCost' | 'maxTokens' | 'maxDirectives';

const described: Record<QueryLimit, string> = {
  maxDepth: 'depth',
  maxAliases: 'aliases',
  maxCost: 'cost',
  maxTokens: 'tokens',
  maxDirectives: 'directives',
};

/**
 * Refuses documents over the query limits (graphql-armor) with LIMIT_EXCEEDED, e.g.
 * `query: the depth limit is 7, got 9`, before anything runs. With `hideSuggestions`,
 * validation messages lose their "Did you mean ...?" so that they do not reveal the schema.
 */
export function useQueryLimits(limits: GatewayLimits, options: { hideSuggestions: boolean }) {
  const limit = (name: QueryLimit) => ({
    // Armor's own errors are "Syntax Error: ..." without a code, thrown from inside
    // validation; ours are reported as validation errors, so the answer is a 400.
    propagateOnRejection: false,
    onReject: [rejectOver(name, limits[name])],
  });
  // An envelop plugin; yoga's Plugin type differs only under exactOptionalPropertyTypes.
  return EnvelopArmorPlugin({
    maxDepth: { n: limits.maxDepth, ...limit('maxDepth') },
    maxAliases: { n: limits.maxAliases, ...limit('maxAliases') },
    costLimit: { maxCost: limits.maxCost, ...limit('maxCost') },
    maxTokens: { n: limits.maxTokens, ...limit('maxTokens') },
    maxDirectives: { n: limits.maxDirectives, ...limit('maxDirectives') },
    blockFieldSuggestion: { enabled: options.hideSuggestions, mask: '' },
  }) as Plugin;
}

function rejectOver(name: QueryLimit, value: number) {
  return (context: ValidationContext | null, error: GraphQLError) => {
    // Armor counts tokens while parsing and stops at the first one over, so there is no total.
    const found = /found (\d+(?:\.\d+)?)/.exec(error.message)?.[1];
    const got = found === undefined ? 'the document has more' : `got ${found}`;
    const limited = syncError(
      'LIMIT_EXCEEDED',
      `query: the ${described[name]} limit is ${value}, ${got}`,
    );
    // The token count runs in the parser, where there is no validation context to report to.
    if (!context) throw limited;
    context.reportError(limited);
  };
}
