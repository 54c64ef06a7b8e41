'use strict';
// Parses a .bicep file with tree-sitter-bicep and extracts its declarations in a form the checks can walk.
const fs = require('fs');
const path = require('path');
const Parser = require('tree-sitter');
const Bicep = require('tree-sitter-bicep');

const parser = new Parser();
parser.setLanguage(Bicep);

function pos(node) {
  return { line: node.startPosition.row + 1, col: node.startPosition.column + 1 };
}

function namedChildren(node) {
  const out = [];
  for (let i = 0; i < node.namedChildCount; i++) out.push(node.namedChild(i));
  return out;
}

function firstOfType(node, type) {
  return namedChildren(node).find((c) => c.type === type) || null;
}

function walk(node, visit) {
  visit(node);
  for (let i = 0; i < node.childCount; i++) walk(node.child(i), visit);
}

// Strips parentheses so `(x)` and `x` look the same to the checks.
function unwrap(node) {
  let n = node;
  while (n && n.type === 'parenthesized_expression') n = n.namedChild(0);
  return n;
}

// A string node without interpolation has a literal value; otherwise null.
function stringLiteral(node) {
  const n = unwrap(node);
  if (!n || n.type !== 'string') return null;
  let value = '';
  for (const c of namedChildren(n)) {
    if (c.type === 'string_content') value += c.text;
    else if (c.type === 'escape_sequence') value += unescape(c.text);
    else return null; // interpolation
  }
  if (n.text.startsWith("'''")) return n.text.slice(3, -3);
  return value;
}

function unescape(seq) {
  const map = { "\\'": "'", '\\\\': '\\', '\\n': '\n', '\\r': '\r', '\\t': '\t', '\\$': '$' };
  return map[seq] !== undefined ? map[seq] : seq;
}

// The key of an object_property: an identifier or a literal string; null for an interpolated key.
function propertyKey(prop) {
  const k = prop.namedChild(0);
  if (!k) return null;
  if (k.type === 'identifier' || k.type === 'property_identifier') return k.text;
  return stringLiteral(k);
}

function propertyValue(prop) {
  return prop.namedChild(prop.namedChildCount - 1);
}

// Object literal properties as [{key, keyNode, value}], in source order.
function objectProperties(node) {
  const n = unwrap(node);
  if (!n || n.type !== 'object') return [];
  return namedChildren(n)
    .filter((c) => c.type === 'object_property')
    .map((p) => ({ key: propertyKey(p), keyNode: p.namedChild(0), value: propertyValue(p) }));
}

function getProperty(node, key) {
  const p = objectProperties(node).find((x) => x.key === key);
  return p ? p.value : null;
}

// Follows a dotted path through object literals; at a ternary it returns every literal branch.
function literalValuesAt(node, path) {
  let current = [node];
  for (const key of path) {
    const next = [];
    for (const c of current) {
      for (const alt of branches(c)) {
        const v = getProperty(alt, key);
        if (v) next.push(v);
      }
    }
    current = next;
  }
  return current.flatMap(branches);
}

// The alternatives a value can take: both arms of a ternary, or the value itself.
function branches(node) {
  const n = unwrap(node);
  if (!n) return [];
  if (n.type === 'ternary_expression') {
    return [...branches(n.childForFieldName('consequence')), ...branches(n.childForFieldName('alternative'))];
  }
  return [n];
}

function decoratorsOf(declNode) {
  const prev = declNode.previousNamedSibling;
  if (!prev || prev.type !== 'decorators') return [];
  return namedChildren(prev).map((d) => {
    const call = d.namedChild(0);
    if (call && call.type === 'call_expression') {
      const fn = call.childForFieldName('function');
      const args = call.childForFieldName('arguments');
      return { name: fn ? fn.text : '', args: args ? namedChildren(args) : [], node: d };
    }
    return { name: call ? call.text : '', args: [], node: d };
  });
}

// The object a resource or module declaration assigns: plain, behind `if (...)`, or a `[for ...]` body.
function declarationBody(decl) {
  const last = decl.namedChild(decl.namedChildCount - 1);
  if (!last) return null;
  if (last.type === 'object') return last;
  if (last.type === 'if_statement') return firstOfType(last, 'object');
  if (last.type === 'for_statement') {
    const body = last.childForFieldName('body');
    if (body && body.type === 'object') return body;
    if (body && body.type === 'if_statement') return firstOfType(body, 'object');
  }
  return null;
}

function parseFile(file) {
  const source = fs.readFileSync(file, 'utf8');
  const tree = parser.parse(source);
  const root = tree.rootNode;
  const t = { file, source, root, params: [], vars: [], resources: [], modules: [], outputs: [], targetScope: null };
  for (const decl of namedChildren(root)) {
    const id = firstOfType(decl, 'identifier');
    const name = id ? id.text : '';
    switch (decl.type) {
      case 'target_scope_assignment':
        t.targetScope = { value: stringLiteral(decl.namedChild(decl.namedChildCount - 1)), node: decl };
        break;
      case 'parameter_declaration': {
        const children = namedChildren(decl);
        const typeNode = firstOfType(decl, 'type');
        const hasDefault = decl.children.some((c) => c.type === '=');
        t.params.push({
          name, node: decl, type: typeNode ? typeNode.text : '', decorators: decoratorsOf(decl),
          defaultValue: hasDefault ? children[children.length - 1] : null,
        });
        break;
      }
      case 'variable_declaration':
        t.vars.push({ name, node: decl, value: decl.namedChild(decl.namedChildCount - 1) });
        break;
      case 'resource_declaration': {
        const typeNode = firstOfType(decl, 'string');
        const existing = decl.children.some((c) => c.type === 'existing');
        t.resources.push({
          name, node: decl, typeNode, typeRef: stringLiteral(typeNode), existing, body: declarationBody(decl),
        });
        break;
      }
      case 'module_declaration': {
        const pathNode = firstOfType(decl, 'string');
        t.modules.push({ name, node: decl, pathNode, path: stringLiteral(pathNode), body: declarationBody(decl) });
        break;
      }
      case 'output_declaration': {
        const typeNode = firstOfType(decl, 'type');
        t.outputs.push({
          name, node: decl, type: typeNode ? typeNode.text : '', decorators: decoratorsOf(decl),
          value: decl.namedChild(decl.namedChildCount - 1),
        });
        break;
      }
      default:
        break;
    }
  }
  return t;
}

// Every .bicep file below dir, sorted.
function bicepFilesUnder(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return bicepFilesUnder(full);
    return e.name.endsWith('.bicep') ? [full] : [];
  }).sort();
}

module.exports = {
  parseFile, bicepFilesUnder, pos, walk, unwrap, namedChildren, stringLiteral, objectProperties, getProperty, literalValuesAt,
  branches, propertyKey,
};
