# Every pipeline that runs has a stage named "test".
policy "pipelines_test_stage" {
  deny    = "plan.changes.exists(c, c.kind == 'pipeline' && c.action != 'delete' && !('test' in c.stages))"
  message = "a pipeline must have a stage named \"test\""
}
