'use strict';
// Checks resource bodies against Azure's resource type data (the bicep-types-az types.json files).
// Only what the source states literally is judged: an expression is checked for the property's existence only.
const fs = require('fs');
const path = require('path');
const { unwrap, namedChildren, stringLiteral, objectProperties, getProperty, branches } = require('./template');

const FLAG_REQUIRED = 1;
const FLAG_READONLY = 2;
// Bicep language keywords inside a resource body; they are not part of the resource type.
const RESOURCE_KEYWORDS = new Set(['parent', 'scope', 'dependsOn']);

class TypeIndex {
  constructor(dir) {
    this.dir = dir;
    this.byName = new Map(); // 'microsoft.web/sites@2024-11-01' -> { name, nodes, body }
    for (const file of findTypeFiles(dir)) {
      const nodes = JSON.parse(fs.readFileSync(file, 'utf8'));
      for (const node of nodes) {
        if (node.$type === 'ResourceType') {
          this.byName.set(node.name.toLowerCase(), { name: node.name, nodes, body: node.body });
        }
      }
    }
  }

  resource(typeRef) {
    return this.byName.get(typeRef.toLowerCase()) || null;
  }

  versionsOf(type) {
    const prefix = `${type.toLowerCase()}@`;
    return [...this.byName.values()].filter((r) => r.name.toLowerCase().startsWith(prefix))
      .map((r) => r.name.split('@')[1]).sort();
  }
}

function findTypeFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTypeFiles(full));
    else if (entry.name === 'types.json') out.push(full);
  }
  return out.sort();
}

// What a syntax node is, as far as literal type checking goes.
function classify(node) {
  const n = unwrap(node);
  switch (n.type) {
    case 'object': return { kind: 'object' };
    case 'array': return { kind: 'array' };
    case 'for_statement': return { kind: 'for' };
    case 'number': return { kind: 'int', value: Number(n.text) };
    case 'boolean': return { kind: 'bool', value: n.text === 'true' };
    case 'null': return { kind: 'null' };
    case 'string': {
      const value = stringLiteral(n);
      return value === null ? { kind: 'string' } : { kind: 'literal', value };
    }
    default: return { kind: 'expr' };
  }
}

const KIND_NAMES = { object: 'object', array: 'array', for: 'array', int: 'int', bool: 'bool', literal: 'string', string: 'string' };

class BodyChecker {
  constructor(resource, report) {
    this.nodes = resource.nodes;
    this.typeName = resource.name;
    this.report = report; // (node, rule, message)
  }

  resolve(ref) {
    return this.nodes[Number(ref.$ref.split('/').pop())];
  }

  describe(t) {
    switch (t.$type) {
      case 'StringType': return 'string';
      case 'IntegerType': return 'int';
      case 'BooleanType': return 'bool';
      case 'ArrayType': return 'array';
      case 'ObjectType': case 'DiscriminatedObjectType': return 'object';
      case 'StringLiteralType': return `'${t.value}'`;
      case 'UnionType': return t.elements.map((e) => this.describe(this.resolve(e))).join('|');
      default: return t.$type;
    }
  }

  fail(node, rule, where, message) {
    this.report(node, rule, `${this.typeName}: '${where}' ${message}`);
  }

  checkBody(body) {
    this.checkOne(body, this.resolve(this.nodes.find((n) => n.name === this.typeName && n.$type === 'ResourceType').body), '', true);
  }

  checkValue(node, typeRef, where) {
    for (const b of branches(node)) this.checkOne(b, this.resolve(typeRef), where, false);
  }

  checkOne(node, t, where, top) {
    const v = classify(node);
    if (v.kind === 'expr' || v.kind === 'null' || t.$type === 'AnyType') return;
    const mismatch = () => this.fail(node, 'type', where, `expects ${this.describe(t)}, got ${KIND_NAMES[v.kind]}`);
    switch (t.$type) {
      case 'StringType':
        if (v.kind === 'literal') this.checkString(node, t, v.value, where);
        else if (v.kind !== 'string') mismatch();
        break;
      case 'IntegerType':
        if (v.kind !== 'int') mismatch();
        else if ((t.minValue !== undefined && v.value < t.minValue) || (t.maxValue !== undefined && v.value > t.maxValue)) {
          this.fail(node, 'type', where, `is ${v.value}, outside ${t.minValue ?? '-inf'}..${t.maxValue ?? 'inf'}`);
        }
        break;
      case 'BooleanType':
        if (v.kind !== 'bool') mismatch();
        break;
      case 'StringLiteralType':
        if (v.kind === 'literal' && v.value !== t.value) this.fail(node, 'enum', where, `must be '${t.value}', got '${v.value}'`);
        else if (v.kind !== 'literal' && v.kind !== 'string') mismatch();
        break;
      case 'UnionType':
        this.checkUnion(node, v, t, where, mismatch);
        break;
      case 'ObjectType':
        if (v.kind === 'object') this.checkObject(node, t.properties || {}, t.additionalProperties, where, top, true);
        else mismatch();
        break;
      case 'DiscriminatedObjectType':
        if (v.kind === 'object') this.checkDiscriminated(node, t, where, top);
        else mismatch();
        break;
      case 'ArrayType':
        if (v.kind === 'array') {
          namedChildren(unwrap(node)).forEach((item, i) => this.checkValue(item, t.itemType, `${where}[${i}]`));
        } else if (v.kind === 'for') {
          const body = unwrap(node).childForFieldName('body');
          if (body) this.checkValue(body, t.itemType, `${where}[]`);
        } else mismatch();
        break;
      default:
        break;
    }
  }

  checkString(node, t, value, where) {
    if (t.minLength !== undefined && value.length < t.minLength) this.fail(node, 'type', where, `is shorter than ${t.minLength} characters`);
    if (t.maxLength !== undefined && value.length > t.maxLength) this.fail(node, 'type', where, `is longer than ${t.maxLength} characters`);
    if (t.pattern) {
      let re = null;
      try { re = new RegExp(t.pattern); } catch { re = null; }
      if (re && !re.test(value)) this.fail(node, 'type', where, `'${value}' does not match ${t.pattern}`);
    }
  }

  checkUnion(node, v, t, where, mismatch) {
    const members = t.elements.map((e) => this.resolve(e));
    const has = (type) => members.some((m) => m.$type === type);
    if (v.kind === 'literal') {
      if (has('StringType')) return;
      const literals = members.filter((m) => m.$type === 'StringLiteralType').map((m) => m.value);
      if (literals.includes(v.value)) return;
      if (literals.length > 0) {
        this.fail(node, 'enum', where, `must be one of ${literals.map((x) => `'${x}'`).join('|')}, got '${v.value}'`);
      } else mismatch();
      return;
    }
    if (v.kind === 'string') { if (!has('StringType') && !has('StringLiteralType')) mismatch(); return; }
    if (v.kind === 'int') { const m = members.find((x) => x.$type === 'IntegerType'); if (m) this.checkOne(node, m, where, false); else mismatch(); return; }
    if (v.kind === 'bool') { if (!has('BooleanType')) mismatch(); return; }
    const wanted = v.kind === 'object' ? ['ObjectType', 'DiscriminatedObjectType'] : ['ArrayType'];
    const candidates = members.filter((m) => wanted.includes(m.$type));
    if (candidates.length === 1) this.checkOne(node, candidates[0], where, false);
    else if (candidates.length === 0) mismatch();
  }

  checkDiscriminated(node, t, where, top) {
    const disc = getProperty(node, t.discriminator);
    const value = disc ? stringLiteral(disc) : null;
    const base = t.baseProperties || {};
    if (value === null) {
      // Unknown at check time: accept any element's properties, require nothing.
      const all = { ...base };
      for (const ref of Object.values(t.elements)) Object.assign(all, this.resolve(ref).properties || {});
      this.checkObject(node, all, undefined, where, top, false);
      return;
    }
    const elementRef = t.elements[value];
    if (!elementRef) {
      const key = where ? `${where}.${t.discriminator}` : t.discriminator;
      this.fail(disc, 'enum', key, `must be one of ${Object.keys(t.elements).map((x) => `'${x}'`).join('|')}, got '${value}'`);
      return;
    }
    const element = this.resolve(elementRef);
    this.checkObject(node, { ...base, ...(element.properties || {}) }, element.additionalProperties, where, top, true);
  }

  checkObject(node, props, additional, where, top, checkRequired) {
    const present = new Set();
    const join = (k) => (where ? `${where}.${k}` : k);
    for (const { key, keyNode, value } of objectProperties(node)) {
      if (key === null || (top && RESOURCE_KEYWORDS.has(key))) continue;
      let prop = props[key];
      if (!prop) {
        const other = Object.keys(props).find((k) => k.toLowerCase() === key.toLowerCase());
        if (other) {
          present.add(other);
          this.fail(keyNode, 'casing', join(key), `is spelled '${other}' in the type data`);
          continue;
        }
        if (additional) { this.checkValue(value, additional, join(key)); continue; }
        this.fail(keyNode, 'unknown-property', join(key), 'is not a property of this type');
        continue;
      }
      present.add(key);
      if (prop.flags & FLAG_READONLY) { this.fail(keyNode, 'read-only', join(key), 'is read-only'); continue; }
      this.checkValue(value, prop.type, join(key));
    }
    if (!checkRequired) return;
    for (const [k, p] of Object.entries(props)) {
      if ((p.flags & FLAG_REQUIRED) && !(p.flags & FLAG_READONLY) && !present.has(k)) {
        this.fail(node, 'required', join(k), 'is required but missing');
      }
    }
  }
}

// Checks one resource declaration; reports through report(node, rule, message).
function checkResource(index, res, report) {
  if (res.typeRef === null) { report(res.typeNode || res.node, 'type', 'the resource type must be a literal string'); return; }
  const rt = index.resource(res.typeRef);
  if (!rt) {
    const [type] = res.typeRef.split('@');
    const versions = index.versionsOf(type);
    report(res.typeNode, 'api-version', `no type data for '${res.typeRef}' (available: ${versions.length ? versions.join(', ') : 'none for this type'})`);
    return;
  }
  if (!res.body) return;
  if (res.existing) {
    for (const { key, keyNode } of objectProperties(res.body)) {
      if (!['name', 'parent', 'scope'].includes(key)) report(keyNode, 'unknown-property', `${rt.name}: '${key}' is not allowed on an existing resource`);
    }
    return;
  }
  new BodyChecker(rt, report).checkBody(res.body);
}

module.exports = { TypeIndex, checkResource, classify };
