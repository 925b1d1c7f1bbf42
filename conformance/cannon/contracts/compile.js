#!/usr/bin/env node
// Compiles eight contracts with solc-js at the version package-lock.json pins
// (0.8.15), each in its own standard-JSON compilation, and writes one artifact
// per contract to ../evm/artifacts/, which the Go package evm embeds (abi, init code, runtime code, settings):
//
//   MIPS64.json          the released src/cannon/MIPS64.sol of the optimism
//                        module in the Go module cache, with the settings of
//                        its packages/contracts-bedrock/foundry.toml
//   StepOracle.json      src/StepOracle.sol, this folder's preimage oracle
//   MIPS64OPcity.json    ../../../contracts/src/MIPS64OPcity.sol, the OPcity
//                        profile's step, with MIPS64.sol's libraries from the
//                        optimism module (not copied) and the release's settings
//   TensorOracle.json    ../../../contracts/src/TensorOracle.sol
//   BondVault.json, OPcityGameFactory.json, OPcityDisputeGame.json
//                        ../../../contracts/src/: the dispute game, its factory
//                        and its bond custody
//   SyntheticStepper.json src/SyntheticStepper.sol, dispute/trace's synthetic
//                        VM behind step's signature, for the game's tests
//
// Usage: node compile.js [--check]
//   --check  compile and compare with the committed artifacts instead of
//            writing them; exits 1 when they differ.
//
// The optimism module's folder is $OPTIMISM_DIR, or else found with
// `go list -m -f {{.Dir}} github.com/ethereum-optimism/optimism` run in the
// parent folder (conformance/cannon), which downloads it if needed.
'use strict';

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const solc = require('solc');

const HERE = __dirname;
const ARTIFACTS = path.join(HERE, '..', 'evm', 'artifacts');
const SOLC_VERSION = '0.8.15';
const OPTIMISM_MODULE = 'github.com/ethereum-optimism/optimism';

// foundry.toml's [profile.default]: optimizer on, 999999 runs,
// bytecode_hash = 'none', remappings. Its evm_version is 'cancun', which
// 0.8.15 does not know; Foundry then compiles with the newest EVM version the
// compiler supports, London for 0.8.15. Only the remapping MIPS64.sol's import
// graph uses is listed (remappings do not reach the code).
function releaseSettings() {
  return {
    optimizer: { enabled: true, runs: 999999 },
    evmVersion: 'london',
    metadata: { bytecodeHash: 'none' },
    remappings: ['@lib-keccak/=lib/lib-keccak/contracts/lib/'],
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
  };
}

function optimismDir() {
  if (process.env.OPTIMISM_DIR) return process.env.OPTIMISM_DIR;
  const out = execFileSync('go', ['list', '-m', '-f', '{{.Dir}}', OPTIMISM_MODULE], {
    cwd: path.join(HERE, '..'),
    encoding: 'utf8',
  });
  return out.trim();
}

// resolver returns solc's import callback: a source unit name is read from
// the first root that has it. Names are relative to contracts-bedrock, as
// Foundry names them (src/..., interfaces/..., lib/...).
function resolver(roots) {
  return (name) => {
    for (const [prefix, dir] of roots) {
      if (!name.startsWith(prefix)) continue;
      const file = path.join(dir, name.slice(prefix.length));
      if (fs.existsSync(file)) return { contents: fs.readFileSync(file, 'utf8') };
    }
    return { error: `not found: ${name}` };
  };
}

function compile(sources, settings, roots) {
  const input = { language: 'Solidity', sources, settings };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: resolver(roots) }));
  const errors = (output.errors || []).filter((e) => e.severity === 'error');
  for (const e of output.errors || []) process.stderr.write(e.formattedMessage + '\n');
  if (errors.length > 0) throw new Error(`${errors.length} compiler error(s)`);
  return output;
}

function artifact(output, unit, name, settings, source) {
  const c = output.contracts[unit][name];
  const { outputSelection, ...kept } = settings;
  return {
    contractName: name,
    sourceUnit: unit,
    source,
    compiler: `solc-js ${solc.version()}`,
    settings: kept,
    abi: c.abi,
    bytecode: '0x' + c.evm.bytecode.object,
    deployedBytecode: '0x' + c.evm.deployedBytecode.object,
  };
}

function compileRelease(dir) {
  const bedrock = path.join(dir, 'packages', 'contracts-bedrock');
  const unit = 'src/cannon/MIPS64.sol';
  const settings = releaseSettings();
  const roots = [
    ['lib/lib-keccak/contracts/lib/', path.join(HERE, 'lib-keccak')],
    ['src/', path.join(bedrock, 'src')],
    ['interfaces/', path.join(bedrock, 'interfaces')],
  ];
  const sources = { [unit]: { content: fs.readFileSync(path.join(bedrock, unit), 'utf8') } };
  const out = compile(sources, settings, roots);
  const version = path.basename(dir).split('@')[1] || dir;
  return artifact(out, unit, 'MIPS64', settings, `${OPTIMISM_MODULE}@${version}/packages/contracts-bedrock/${unit}`);
}

function compileOracle(name = 'StepOracle') {
  const unit = `src/${name}.sol`;
  const settings = releaseSettings();
  delete settings.remappings;
  const sources = { [unit]: { content: fs.readFileSync(path.join(HERE, unit), 'utf8') } };
  const out = compile(sources, settings, [['src/', path.join(HERE, 'src')]]);
  return artifact(out, unit, name, settings, `conformance/cannon/contracts/${unit}`);
}

// compileProject compiles one contract of the repository's contracts/ folder.
// Its source units are named contracts/src/...; the libraries of MIPS64.sol
// it imports (src/cannon/...) are read from the optimism module, so they are
// the release's bytes.
function compileProject(dir, name) {
  const bedrock = path.join(dir, 'packages', 'contracts-bedrock');
  const repo = path.join(HERE, '..', '..', '..');
  const unit = `contracts/src/${name}.sol`;
  const settings = releaseSettings();
  const roots = [
    ['lib/lib-keccak/contracts/lib/', path.join(HERE, 'lib-keccak')],
    ['contracts/', path.join(repo, 'contracts')],
    ['src/', path.join(bedrock, 'src')],
    ['interfaces/', path.join(bedrock, 'interfaces')],
  ];
  const sources = { [unit]: { content: fs.readFileSync(path.join(repo, unit), 'utf8') } };
  const out = compile(sources, settings, roots);
  return artifact(out, unit, name, settings, unit);
}

function main() {
  const check = process.argv.includes('--check');
  if (solc.version().split('+')[0] !== SOLC_VERSION) {
    throw new Error(`solc ${solc.version()} installed, want ${SOLC_VERSION}: run npm ci`);
  }
  const dir = optimismDir();
  const built = {
    'MIPS64.json': compileRelease(dir),
    'StepOracle.json': compileOracle(),
    'MIPS64OPcity.json': compileProject(dir, 'MIPS64OPcity'),
    'TensorOracle.json': compileProject(dir, 'TensorOracle'),
    'BondVault.json': compileProject(dir, 'BondVault'),
    'OPcityGameFactory.json': compileProject(dir, 'OPcityGameFactory'),
    'OPcityDisputeGame.json': compileProject(dir, 'OPcityDisputeGame'),
    'SyntheticStepper.json': compileOracle('SyntheticStepper'),
  };
  let differ = 0;
  for (const [file, a] of Object.entries(built)) {
    const text = JSON.stringify(a, null, 2) + '\n';
    const dest = path.join(ARTIFACTS, file);
    if (check) {
      const old = fs.existsSync(dest) ? fs.readFileSync(dest, 'utf8') : '';
      if (old !== text) {
        process.stderr.write(`evm/artifacts/${file} differs from a fresh compile: run make contracts\n`);
        differ++;
      } else {
        process.stdout.write(`evm/artifacts/${file} equals a fresh compile\n`);
      }
      continue;
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.writeFileSync(dest, text);
    process.stdout.write(`wrote evm/artifacts/${file}\n`);
  }
  process.exit(differ === 0 ? 0 : 1);
}

main();
