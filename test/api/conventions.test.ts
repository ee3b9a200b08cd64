/**
 * The public API keeps to jsii's rules and the aws-cdk conventions we follow
 * (see DESIGN.md, section 2 and 3), checked on the built assembly (.jsii), so
 * later construct families keep to them too:
 * - every public type and every props property has a doc comment;
 * - every optional props property documents its `@default`;
 * - no union types in props properties or in method and constructor parameters
 *   (use enum-like classes with static factories);
 * - no `any`-typed props properties;
 * - a construct's static `fromXxx` import returns an `IXxx` interface.
 * The checker is run on a hand-made assembly too, so each rule is proven to fail.
 */
import * as fs from 'fs';
import * as path from 'path';

interface TypeRef {
  readonly primitive?: string;
  readonly fqn?: string;
  readonly collection?: { readonly kind: string; readonly elementtype: TypeRef };
  readonly union?: { readonly types: TypeRef[] };
}
interface Docs { readonly summary?: string; readonly default?: string }
interface Parameter { readonly name: string; readonly type: TypeRef }
interface Callable {
  readonly name?: string;
  readonly static?: boolean;
  readonly parameters?: Parameter[];
  readonly returns?: { readonly type: TypeRef };
}
interface Property { readonly name: string; readonly type: TypeRef; readonly optional?: boolean; readonly docs?: Docs }
interface JsiiType {
  readonly kind: 'class' | 'interface' | 'enum';
  readonly name: string;
  readonly datatype?: boolean;
  readonly docs?: Docs;
  readonly base?: string;
  readonly initializer?: Callable;
  readonly methods?: Callable[];
  readonly properties?: Property[];
}
interface Assembly { readonly name: string; readonly types?: Record<string, JsiiType> }

function hasUnion(type: TypeRef): boolean {
  if (type.union) return true;
  return type.collection ? hasUnion(type.collection.elementtype) : false;
}

function isConstruct(assembly: Assembly, type: JsiiType): boolean {
  let base = type.base;
  while (base) {
    if (base === 'constructs.Construct') return true;
    base = assembly.types?.[base]?.base;
  }
  return false;
}

/** Every breach of the conventions in the assembly, one line each. */
export function checkConventions(assembly: Assembly): string[] {
  const problems: string[] = [];
  for (const [fqn, type] of Object.entries(assembly.types ?? {})) {
    if (!type.docs?.summary) problems.push(`${fqn}: no doc comment`);
    if (type.kind === 'interface' && type.datatype) {
      for (const p of type.properties ?? []) {
        if (!p.docs?.summary) problems.push(`${fqn}.${p.name}: no doc comment`);
        if (p.optional && p.docs?.default === undefined) problems.push(`${fqn}.${p.name}: optional without @default`);
        if (hasUnion(p.type)) problems.push(`${fqn}.${p.name}: union type in props`);
        if (p.type.primitive === 'any') problems.push(`${fqn}.${p.name}: any-typed prop`);
      }
    }
    const callables = [...(type.initializer ? [{ ...type.initializer, name: '<constructor>' }] : []), ...(type.methods ?? [])];
    for (const c of callables) {
      for (const param of c.parameters ?? []) {
        if (hasUnion(param.type)) problems.push(`${fqn}.${c.name}(${param.name}): union type in a parameter`);
      }
    }
    if (type.kind === 'class' && isConstruct(assembly, type)) {
      for (const m of type.methods ?? []) {
        if (!m.static || !/^from[A-Z]/.test(m.name ?? '')) continue;
        const returned = m.returns?.type.fqn;
        const target = returned ? assembly.types?.[returned] : undefined;
        const isInterface = target ? target.kind === 'interface' && /^I[A-Z]/.test(target.name) : /\.I[A-Z][^.]*$/.test(returned ?? '');
        if (!isInterface) problems.push(`${fqn}.${m.name}: an import must return an IXxx interface, returns ${returned ?? 'no type'}`);
      }
    }
  }
  return problems;
}

test('the built assembly keeps to the API conventions', () => {
  const file = path.join(__dirname, '..', '..', '.jsii');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run 'npx projen compile' first`);
  const assembly = JSON.parse(fs.readFileSync(file, 'utf8')) as Assembly;
  expect(Object.keys(assembly.types ?? {}).length).toBeGreaterThan(20);
  expect(checkConventions(assembly)).toEqual([]);
});

test('each convention fails on an assembly that breaks it', () => {
  const str: TypeRef = { primitive: 'string' };
  const assembly: Assembly = {
    name: 'bad',
    types: {
      'bad.Props': {
        kind: 'interface',
        name: 'Props',
        datatype: true,
        docs: { summary: 'Props.' },
        properties: [
          { name: 'undocumented', type: str, docs: {} },
          { name: 'noDefault', type: str, optional: true, docs: { summary: 'Has no default.' } },
          { name: 'either', type: { union: { types: [str, { primitive: 'number' }] } }, docs: { summary: 'A union.' } },
          { name: 'listOfEither', type: { collection: { kind: 'array', elementtype: { union: { types: [str] } } } }, docs: { summary: 'Unions in a list.' } },
          { name: 'anything', type: { primitive: 'any' }, docs: { summary: 'Any.' } },
          { name: 'fine', type: str, optional: true, docs: { summary: 'Fine.', default: '- none' } },
        ],
      },
      'bad.Thing': {
        kind: 'class',
        name: 'Thing',
        base: 'constructs.Construct',
        initializer: { parameters: [{ name: 'id', type: { union: { types: [str] } } }] },
        methods: [{ name: 'fromThingId', static: true, returns: { type: { fqn: 'bad.Thing' } } }],
      },
    },
  };
  expect(checkConventions(assembly)).toEqual([
    'bad.Props.undocumented: no doc comment',
    'bad.Props.noDefault: optional without @default',
    'bad.Props.either: union type in props',
    'bad.Props.listOfEither: union type in props',
    'bad.Props.anything: any-typed prop',
    'bad.Thing: no doc comment',
    'bad.Thing.<constructor>(id): union type in a parameter',
    'bad.Thing.fromThingId: an import must return an IXxx interface, returns bad.Thing',
  ]);
});
