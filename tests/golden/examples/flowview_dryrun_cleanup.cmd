dry-run ../../../examples/flowview/flowview.flux --pipeline flowview_cleanup --param dataset=payments
