# Nothing in a prod namespace is deleted or replaced by an unattended
# apply: an app that drops an object from git, a renamed object, a
# destroyed app. Namespaces whose names start with "prod" are prod.
policy "no_prod_deletes" {
  deny    = "plan.changes.exists(c, c.action in ['delete', 'replace'] && c.namespace.startsWith('prod'))"
  message = "deleting objects in prod needs an approval: have it reviewed, then apply it without this policy"
}
