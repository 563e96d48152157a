"""Program contexts of changed lines, class interfaces and interface changes, with tree-sitter."""
