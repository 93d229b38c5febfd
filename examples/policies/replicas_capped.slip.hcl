# No workload asks for more than 10 replicas: more is a capacity decision
# for the platform team.
policy "replicas_capped" {
  deny    = "plan.changes.exists(c, c.action != 'delete' && has(c.replicas) && c.replicas > 10)"
  message = "more than 10 replicas needs the platform team's approval"
}
