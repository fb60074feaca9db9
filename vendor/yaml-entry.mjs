// Entry of the yaml bundle (scripts/bundle-vendor.mjs). yaml ships CommonJS to Node, so its names are listed here
// (as commander's esm.mjs does); bundle-vendor.mjs fails the build if this list and the package's exports differ.
import YAML from "yaml";

export default YAML;
export const {
  Composer, Document, Schema, YAMLError, YAMLParseError, YAMLWarning, Alias, isAlias, isCollection, isDocument, isMap,
  isNode, isPair, isScalar, isSeq, Pair, Scalar, YAMLMap, YAMLSeq, CST, Lexer, LineCounter, Parser, parse,
  parseAllDocuments, parseDocument, stringify, visit, visitAsync,
} = YAML;
