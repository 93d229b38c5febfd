# An app that syncs into a prod namespace follows a rollout (canary or
# blue-green), so that a bad version reaches only part of the traffic.
policy "rollouts_for_prod" {
  deny    = "plan.changes.exists(c, c.kind == 'app' && c.parent == '' && c.action != 'delete' && c.namespace.startsWith('prod') && c.rollout == '')"
  message = "apps in prod namespaces need a rollout: add rollout { strategy = rollout.NAME } to the app"
}
