/**
 * The public API keeps to jsii's rules and the aws-cdk conventions we follow
 * (see DESIGN.md, section 2 and 3), checked on the built assembly (.jsii), so
 * later construct families keep to them too:
 * - every public type and every props property has a doc comment;
 * - every optional props property documents its `@default`;
 * - no union types in props properties or in method and constructor parameters
 *   (use enum-like classes with static factories);
 * - no `any`-typed props properties;
 * - a construct's static `fromXxx` import returns an `IXxx` interface;
 * - enums over string literals: no public property, parameter or return type is
 *   a string or number literal type (`'a' | 'b'`). jsii erases those to plain
 *   `string` and `number` without a word, so the other languages would lose
 *   the closed set; this one is read off the TypeScript source, not the .jsii.
 * The checkers are run on hand-made bad input too, so each rule is proven to fail.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

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

/** True when the type is, or holds (in a union or an array), a string or number literal type that is not an enum member. */
function holdsLiteral(checker: ts.TypeChecker, type: ts.Type): boolean {
  if (type.flags & ts.TypeFlags.EnumLiteral) return false; // eslint-disable-line no-bitwise
  if (type.isStringLiteral() || type.isNumberLiteral()) return true;
  if (type.isUnion()) return type.types.some(t => holdsLiteral(checker, t));
  if (checker.isArrayType(type)) return checker.getTypeArguments(type as ts.TypeReference).some(t => holdsLiteral(checker, t));
  return false;
}

function isPublicMember(node: ts.Node): boolean {
  const flags = ts.getCombinedModifierFlags(node as ts.Declaration);
  if ((flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0) return false; // eslint-disable-line no-bitwise
  const name = (node as ts.NamedDeclaration).name;
  return !(name && ts.isPrivateIdentifier(name));
}

/**
 * Every public property, parameter or return type of a class or interface the
 * entry module exports (what jsii puts in the API) that is a string or number
 * literal type, one line each (`file:line Type.member: ...`). Members named
 * `_xxx` are jsii's internal ones and are skipped.
 */
export function findLiteralTypes(entry: string): string[] {
  const program = ts.createProgram([entry], {
    strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, skipLibCheck: true, noEmit: true,
  });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!);
  if (!moduleSymbol) throw new Error(`${entry} is not a module`);
  const problems: string[] = [];
  const report = (owner: string, member: string, node: ts.Node, what: string) => {
    const source = node.getSourceFile();
    const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
    problems.push(`${path.relative(process.cwd(), source.fileName)}:${line} ${owner}.${member}: ${what} is a literal type; use an enum`);
  };
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    // eslint-disable-next-line no-bitwise
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    for (const decl of symbol.declarations ?? []) {
      if (!(ts.isClassDeclaration(decl) || ts.isInterfaceDeclaration(decl)) || !decl.name) continue;
      const owner = decl.name.text;
      for (const member of decl.members as ts.NodeArray<ts.ClassElement | ts.TypeElement>) {
        const name = member.name && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name)) ? member.name.text : '<constructor>';
        if (!isPublicMember(member) || name.startsWith('_')) continue;
        if (ts.isPropertySignature(member) || ts.isPropertyDeclaration(member) || ts.isGetAccessorDeclaration(member)) {
          if (holdsLiteral(checker, checker.getTypeAtLocation(member))) report(owner, name, member, 'its type');
        }
        if (ts.isMethodDeclaration(member) || ts.isMethodSignature(member) || ts.isConstructorDeclaration(member)) {
          for (const param of member.parameters) {
            if (holdsLiteral(checker, checker.getTypeAtLocation(param))) report(owner, `${name}(${param.name.getText()})`, param, 'the parameter');
          }
          const signature = checker.getSignatureFromDeclaration(member);
          if (signature && !ts.isConstructorDeclaration(member) && holdsLiteral(checker, signature.getReturnType())) {
            report(owner, name, member, 'the return type');
          }
        }
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

test('enums over string literals: no public member of src/ has a literal type', () => {
  expect(findLiteralTypes(path.join(__dirname, '..', '..', 'src', 'index.ts'))).toEqual([]);
});

test('the literal-type check fails on source that uses literal types', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'literal-types-'));
  try {
    const file = path.join(dir, 'bad.ts');
    fs.writeFileSync(file, [
      'export enum Mode { A = \'a\', B = \'b\' }',
      'export type Version = \'ikev1\' | \'ikev2\';',
      'export interface BadProps {',
      '  readonly mode?: \'a\' | \'b\';',
      '  readonly versions: Version[];',
      '  readonly fine: Mode;',
      '  readonly flag?: boolean;',
      '  readonly size: 1 | 2;',
      '}',
      'export class Bad {',
      '  public static pick(mode: \'a\' | \'b\', fine: Mode): \'x\' { return mode === \'a\' && fine ? \'x\' : \'x\'; }',
      '  public readonly _internal?: \'i\';',
      '  private readonly hidden: \'h\' = \'h\';',
      '  constructor(public readonly label: string, kind?: \'k\') { void kind; void this.hidden; }',
      '}',
      'interface NotExported { readonly x: \'x\' }',
      'export const n: NotExported = { x: \'x\' };',
    ].join('\n'));
    // Exported by its file but not by the entry module: not in the API.
    fs.writeFileSync(path.join(dir, 'inner.ts'), 'export interface Inner { readonly x: \'x\' }\n');
    const entry = path.join(dir, 'index.ts');
    fs.writeFileSync(entry, 'export * from \'./bad\';\nimport { Inner } from \'./inner\';\nexport const i: Inner = { x: \'x\' };\n');
    const rel = path.relative(process.cwd(), file);
    expect(findLiteralTypes(entry)).toEqual([
      `${rel}:4 BadProps.mode: its type is a literal type; use an enum`,
      `${rel}:5 BadProps.versions: its type is a literal type; use an enum`,
      `${rel}:8 BadProps.size: its type is a literal type; use an enum`,
      `${rel}:11 Bad.pick(mode): the parameter is a literal type; use an enum`,
      `${rel}:11 Bad.pick: the return type is a literal type; use an enum`,
      `${rel}:14 Bad.<constructor>(kind): the parameter is a literal type; use an enum`,
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
