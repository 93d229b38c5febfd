# A ticket filed under an ID the provider makes up when it creates it.
resource "file_ticket" "deploy" {
  dir   = "/tmp/slipway/tickets"
  title = "Deploy web 1.4.2"
}

output "ticket_id" {
  value = file_ticket.deploy.id
}
