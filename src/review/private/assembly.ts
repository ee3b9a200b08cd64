import * as fs from 'fs';
import * as path from 'path';
import { CfnTemplate, StackInput } from './resolve';

/** A user error about the input: the CLI prints its message alone and exits 1. */
export class AssemblyReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssemblyReadError';
  }
}

interface ManifestArtifact {
  readonly type?: string;
  readonly metadata?: Record<string, Array<{ readonly type?: string; readonly data?: unknown }>>;
  readonly environment?: string;
  readonly properties?: { readonly templateFile?: string; readonly directoryName?: string };
}

interface Manifest {
  readonly artifacts?: Record<string, ManifestArtifact>;
}

/** Every stack of a cloud assembly directory (cdk.out), nested stage assemblies included, sorted by name. */
export function readAssembly(dir: string): StackInput[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new AssemblyReadError(`${dir}: no such directory (expected a cloud assembly, e.g. cdk.out)`);
  }
  if (!stat.isDirectory()) {
    throw new AssemblyReadError(`${dir}: not a directory (expected a cloud assembly, e.g. cdk.out)`);
  }
  const stacks: StackInput[] = [];
  readInto(dir, '', stacks, 0);
  return stacks.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function readInto(dir: string, prefix: string, out: StackInput[], depth: number): void {
  const manifestPath = path.join(dir, 'manifest.json');
  const manifest = readJson<Manifest>(manifestPath, `${dir}: not a cloud assembly (no manifest.json); run 'cdk synth' first`);
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      const templatePath = path.join(dir, artifact.properties.templateFile);
      out.push({
        name: prefix + id,
        template: readJson<CfnTemplate>(templatePath, `${templatePath}: the template of stack ${id} is missing`),
        account: accountOf(artifact.environment),
        templatePath,
        constructPaths: constructPathsOf(artifact),
      });
    } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName && depth < 10) {
      readInto(path.join(dir, artifact.properties.directoryName), `${prefix}${id}/`, out, depth + 1);
    }
  }
}

/** The stacks behind template paths (what a policy validation plugin is given). */
export function readTemplates(templatePaths: readonly string[]): StackInput[] {
  const manifests = new Map<string, Manifest | undefined>();
  const stacks = templatePaths.map(templatePath => {
    const dir = path.dirname(templatePath);
    if (!manifests.has(dir)) {
      const file = path.join(dir, 'manifest.json');
      manifests.set(dir, fs.existsSync(file) ? readJson<Manifest>(file, `${file}: unreadable`) : undefined);
    }
    const file = path.basename(templatePath);
    const artifact = Object.entries(manifests.get(dir)?.artifacts ?? {}).find(([, a]) => a.properties?.templateFile === file);
    return {
      name: artifact?.[0] ?? file.replace(/\.template\.json$/, ''),
      template: readJson<CfnTemplate>(templatePath, `${templatePath}: unreadable template`),
      account: accountOf(artifact?.[1].environment),
      templatePath,
      constructPaths: artifact ? constructPathsOf(artifact[1]) : undefined,
    };
  });
  return stacks.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Logical id to construct path, from the `aws:cdk:logicalId` entries of the manifest. */
function constructPathsOf(artifact: ManifestArtifact): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [constructPath, entries] of Object.entries(artifact.metadata ?? {})) {
    for (const entry of entries ?? []) {
      if (entry?.type === 'aws:cdk:logicalId' && typeof entry.data === 'string') {
        out[entry.data] = constructPath.replace(/^\//, '');
      }
    }
  }
  return out;
}

function accountOf(environment: string | undefined): string | undefined {
  const match = /^aws:\/\/(\d{12})\//.exec(environment ?? '');
  return match ? match[1] : undefined;
}

function readJson<T>(file: string, missing: string): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new AssemblyReadError(missing);
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new AssemblyReadError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}
