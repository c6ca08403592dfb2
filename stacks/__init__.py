"""One module per stack; a stack composes constructs, grants access, tags and checks."""
