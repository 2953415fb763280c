compile _design.flux -o -
