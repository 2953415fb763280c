compile ../../../examples/tutorial/tutorial.flux -o -
