{#- GENERATED from models/staging/landing/_landing__sources.yml by scripts/snapshot_landing_contract.py.
    Do not edit: change the YAML, then run `python dbt/scripts/snapshot_landing_contract.py`.
    The only copy of the contract dbt reads (see landing_contract.sql). -#}
{% macro landing_contract_snapshot() -%}
{%- set contract_json -%}{% raw %}
{
  "calls": {
    "name": "calls",
    "primary_key": ["call_id"],
    "end_after_start": [["arrived_at", "ended_at"]],
    "require_any": [],
    "require_any_unless": [],
    "interval_aligned": [],
    "checks": [],
    "columns": [
      {"name": "call_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "customer_id", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "caller_number", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": "hash"},
      {"name": "direction", "required": true, "type": "string", "enum": ["inbound", "outbound"], "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "queue", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "reason_code", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "arrived_at", "required": true, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "ivr_ended_at", "required": false, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "ivr_keypresses", "required": false, "type": "int", "enum": null, "min": 0, "max": null, "min_exclusive": false, "pii": null},
      {"name": "queued_at", "required": false, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "answered_at", "required": false, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "ended_at", "required": true, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "outcome", "required": true, "type": "string", "enum": ["answered", "abandoned", "self_served", "failed"], "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "agent_id", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "talk_seconds", "required": false, "type": "number", "enum": null, "min": 0, "max": null, "min_exclusive": false, "pii": null},
      {"name": "hold_seconds", "required": false, "type": "number", "enum": null, "min": 0, "max": null, "min_exclusive": false, "pii": null},
      {"name": "wrap_seconds", "required": false, "type": "number", "enum": null, "min": 0, "max": null, "min_exclusive": false, "pii": null},
      {"name": "transfer_count", "required": false, "type": "int", "enum": null, "min": 0, "max": null, "min_exclusive": false, "pii": null},
      {"name": "ticket_id", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "promised_callback_by", "required": false, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "callback_for_call_id", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null}
    ]
  },
  "digital_contacts": {
    "name": "digital_contacts",
    "primary_key": ["contact_id"],
    "end_after_start": [["started_at", "ended_at"]],
    "require_any": [],
    "require_any_unless": [],
    "interval_aligned": [],
    "checks": [],
    "columns": [
      {"name": "contact_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "customer_id", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "channel", "required": true, "type": "string", "enum": ["chat", "email", "messaging", "bot", "app", "social"], "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "started_at", "required": true, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "first_response_at", "required": false, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "ended_at", "required": false, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "bot_handled", "required": true, "type": "bool", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "escalated_to_agent", "required": true, "type": "bool", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "outcome", "required": true, "type": "string", "enum": ["resolved_by_bot", "handled", "abandoned", "failed"], "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "agent_id", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "queue", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "reason_code", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "ticket_id", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null}
    ]
  },
  "tickets": {
    "name": "tickets",
    "primary_key": ["ticket_id"],
    "end_after_start": [["created_at", "solved_at"], ["created_at", "closed_at"]],
    "require_any": [],
    "require_any_unless": [],
    "interval_aligned": [],
    "checks": [],
    "columns": [
      {"name": "ticket_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "customer_id", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "created_at", "required": true, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "channel", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "priority", "required": true, "type": "string", "enum": ["urgent", "high", "normal", "low"], "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "reason_code", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "status", "required": true, "type": "string", "enum": ["new", "open", "pending", "hold", "solved", "closed"], "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "assignee_group", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "solved_at", "required": false, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "closed_at", "required": false, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null}
    ]
  },
  "ticket_events": {
    "name": "ticket_events",
    "primary_key": ["event_id"],
    "end_after_start": [],
    "require_any": [],
    "require_any_unless": [],
    "interval_aligned": [],
    "checks": [],
    "columns": [
      {"name": "event_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "ticket_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "event_at", "required": true, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "event_type", "required": true, "type": "string", "enum": ["created", "status_change", "assignment", "priority_change", "comment"], "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "from_value", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "to_value", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "actor_id", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "is_public", "required": false, "type": "bool", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null}
    ]
  },
  "surveys": {
    "name": "surveys",
    "primary_key": ["survey_id"],
    "end_after_start": [["sent_at", "responded_at"]],
    "require_any": [["contact_id", "ticket_id"]],
    "require_any_unless": [["kind", "relationship"]],
    "interval_aligned": [],
    "checks": [],
    "columns": [
      {"name": "survey_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "kind", "required": false, "type": "string", "enum": ["transactional", "relationship"], "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "contact_id", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "ticket_id", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "customer_id", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "sent_at", "required": false, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "responded_at", "required": true, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "csat", "required": false, "type": "int", "enum": null, "min": 1, "max": 5, "min_exclusive": false, "pii": null},
      {"name": "nps", "required": false, "type": "int", "enum": null, "min": 0, "max": 10, "min_exclusive": false, "pii": null},
      {"name": "resolved_reported", "required": false, "type": "bool", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "comment", "required": false, "type": "text", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": "mask"},
      {"name": "language", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null}
    ]
  },
  "survey_answers": {
    "name": "survey_answers",
    "primary_key": ["survey_id", "question_code"],
    "end_after_start": [],
    "require_any": [],
    "require_any_unless": [],
    "interval_aligned": [],
    "checks": [],
    "columns": [
      {"name": "survey_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "question_code", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "score", "required": true, "type": "number", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null}
    ]
  },
  "survey_questions": {
    "name": "survey_questions",
    "primary_key": ["question_code"],
    "end_after_start": [],
    "require_any": [],
    "require_any_unless": [],
    "interval_aligned": [],
    "checks": ["scale_min < scale_max"],
    "columns": [
      {"name": "question_code", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "question_text", "required": false, "type": "text", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "dimension", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "scale_min", "required": true, "type": "int", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "scale_max", "required": true, "type": "int", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null}
    ]
  },
  "qa_evaluations": {
    "name": "qa_evaluations",
    "primary_key": ["evaluation_id"],
    "end_after_start": [],
    "require_any": [],
    "require_any_unless": [],
    "interval_aligned": [],
    "checks": [],
    "columns": [
      {"name": "evaluation_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "contact_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "agent_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "evaluator_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "evaluated_at", "required": true, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "sample_type", "required": true, "type": "string", "enum": ["random", "targeted", "coaching", "calibration"], "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "calibration_session_id", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "form_version", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null}
    ]
  },
  "qa_evaluation_items": {
    "name": "qa_evaluation_items",
    "primary_key": ["evaluation_id", "item_code"],
    "end_after_start": [],
    "require_any": [],
    "require_any_unless": [],
    "interval_aligned": [],
    "checks": [],
    "columns": [
      {"name": "evaluation_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "item_code", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "result", "required": true, "type": "string", "enum": ["pass", "fail", "na"], "min": null, "max": null, "min_exclusive": false, "pii": null}
    ]
  },
  "qa_disputes": {
    "name": "qa_disputes",
    "primary_key": ["dispute_id"],
    "end_after_start": [["raised_at", "decided_at"]],
    "require_any": [],
    "require_any_unless": [],
    "interval_aligned": [],
    "checks": [],
    "columns": [
      {"name": "dispute_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "evaluation_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "item_code", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "raised_at", "required": true, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "raised_by", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "status", "required": true, "type": "string", "enum": ["open", "upheld", "overturned", "partially_overturned", "withdrawn"], "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "decided_at", "required": false, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "decided_by", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null}
    ]
  },
  "wfm_forecasts": {
    "name": "wfm_forecasts",
    "primary_key": ["queue", "interval_start", "published_at"],
    "end_after_start": [],
    "require_any": [],
    "require_any_unless": [],
    "interval_aligned": [],
    "checks": [],
    "columns": [
      {"name": "queue", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "interval_start", "required": true, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "interval_minutes", "required": true, "type": "int", "enum": [5, 6, 10, 15, 30, 60], "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "published_at", "required": true, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "forecast_contacts", "required": true, "type": "number", "enum": null, "min": 0, "max": null, "min_exclusive": false, "pii": null},
      {"name": "forecast_aht_seconds", "required": false, "type": "number", "enum": null, "min": 0, "max": null, "min_exclusive": true, "pii": null},
      {"name": "forecast_shrinkage", "required": false, "type": "number", "enum": null, "min": 0, "max": 1, "min_exclusive": false, "pii": null}
    ]
  },
  "agent_schedules": {
    "name": "agent_schedules",
    "primary_key": ["agent_id", "activity_start"],
    "end_after_start": [["activity_start", "activity_end"]],
    "require_any": [],
    "require_any_unless": [],
    "interval_aligned": [],
    "checks": [],
    "columns": [
      {"name": "agent_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "activity_start", "required": true, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "activity_end", "required": true, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "activity", "required": true, "type": "string", "enum": ["work", "break", "lunch", "meeting", "training", "coaching", "time_off"], "min": null, "max": null, "min_exclusive": false, "pii": null}
    ]
  },
  "agent_states": {
    "name": "agent_states",
    "primary_key": ["agent_id", "started_at"],
    "end_after_start": [["started_at", "ended_at"]],
    "require_any": [],
    "require_any_unless": [],
    "interval_aligned": [],
    "checks": [],
    "columns": [
      {"name": "agent_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "state", "required": true, "type": "string", "enum": ["available", "on_contact", "wrap", "break", "lunch", "meeting", "training", "coaching", "not_ready", "logged_out"], "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "started_at", "required": true, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "ended_at", "required": true, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null}
    ]
  },
  "agents": {
    "name": "agents",
    "primary_key": ["agent_id"],
    "end_after_start": [["hired_at", "terminated_at"]],
    "require_any": [],
    "require_any_unless": [],
    "interval_aligned": [],
    "checks": [],
    "columns": [
      {"name": "agent_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "hired_at", "required": true, "type": "date", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "production_start_at", "required": false, "type": "date", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "terminated_at", "required": false, "type": "date", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "termination_type", "required": false, "type": "string", "enum": ["voluntary", "involuntary"], "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "site", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "team_id", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "supervisor_id", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "role", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "hire_source", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "recruiter_id", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null}
    ]
  },
  "training_enrollments": {
    "name": "training_enrollments",
    "primary_key": ["enrollment_id"],
    "end_after_start": [["started_at", "completed_at"]],
    "require_any": [],
    "require_any_unless": [],
    "interval_aligned": [],
    "checks": [],
    "columns": [
      {"name": "enrollment_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "agent_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "class_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "program", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "started_at", "required": true, "type": "date", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "completed_at", "required": false, "type": "date", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "outcome", "required": true, "type": "string", "enum": ["graduated", "failed", "withdrawn", "in_progress"], "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "assessment_score", "required": false, "type": "number", "enum": null, "min": 0, "max": 100, "min_exclusive": false, "pii": null}
    ]
  },
  "transcripts": {
    "name": "transcripts",
    "primary_key": ["contact_id", "seq"],
    "end_after_start": [],
    "require_any": [],
    "require_any_unless": [],
    "interval_aligned": [],
    "checks": [],
    "columns": [
      {"name": "contact_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "seq", "required": true, "type": "int", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "speaker", "required": true, "type": "string", "enum": ["agent", "customer", "bot", "system"], "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "text", "required": true, "type": "text", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": "mask"}
    ]
  },
  "improvement_actions": {
    "name": "improvement_actions",
    "primary_key": ["action_id"],
    "end_after_start": [["opened_at", "closed_at"]],
    "require_any": [],
    "require_any_unless": [],
    "interval_aligned": [],
    "checks": [],
    "columns": [
      {"name": "action_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "opened_at", "required": true, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "source", "required": true, "type": "string", "enum": ["qa", "survey", "complaint", "analysis"], "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "root_cause", "required": true, "type": "string", "enum": ["process", "system", "knowledge", "training", "product", "agent"], "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "action_type", "required": true, "type": "string", "enum": ["loss_control", "quick_win", "product_iteration", "process_change", "coaching"], "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "item_code", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "queue", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "reason_code", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "status", "required": true, "type": "string", "enum": ["open", "in_progress", "done", "dropped"], "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "closed_at", "required": false, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null}
    ]
  },
  "business_schedules": {
    "name": "business_schedules",
    "primary_key": ["schedule_id", "weekday", "opens_at"],
    "end_after_start": [["opens_at", "closes_at"]],
    "require_any": [],
    "require_any_unless": [],
    "interval_aligned": [],
    "checks": [],
    "columns": [
      {"name": "schedule_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "time_zone", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "weekday", "required": true, "type": "int", "enum": null, "min": 1, "max": 7, "min_exclusive": false, "pii": null},
      {"name": "opens_at", "required": true, "type": "time", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "closes_at", "required": true, "type": "time", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null}
    ]
  },
  "holidays": {
    "name": "holidays",
    "primary_key": ["schedule_id", "holiday_date"],
    "end_after_start": [],
    "require_any": [],
    "require_any_unless": [],
    "interval_aligned": [],
    "checks": [],
    "columns": [
      {"name": "schedule_id", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "holiday_date", "required": true, "type": "date", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "name", "required": false, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null}
    ]
  },
  "queue_intervals": {
    "name": "queue_intervals",
    "primary_key": ["queue", "interval_start", "interval_minutes"],
    "end_after_start": [],
    "require_any": [],
    "require_any_unless": [],
    "interval_aligned": [["interval_start", "interval_minutes"]],
    "checks": ["answered <= offered", "answered + abandoned <= offered", "answered_within_threshold <= answered"],
    "columns": [
      {"name": "queue", "required": true, "type": "string", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "interval_start", "required": true, "type": "timestamp", "enum": null, "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "interval_minutes", "required": true, "type": "int", "enum": [5, 6, 10, 15, 30, 60], "min": null, "max": null, "min_exclusive": false, "pii": null},
      {"name": "offered", "required": true, "type": "int", "enum": null, "min": 0, "max": null, "min_exclusive": false, "pii": null},
      {"name": "answered", "required": false, "type": "int", "enum": null, "min": 0, "max": null, "min_exclusive": false, "pii": null},
      {"name": "abandoned", "required": false, "type": "int", "enum": null, "min": 0, "max": null, "min_exclusive": false, "pii": null},
      {"name": "short_abandoned", "required": false, "type": "int", "enum": null, "min": 0, "max": null, "min_exclusive": false, "pii": null},
      {"name": "answered_within_threshold", "required": false, "type": "int", "enum": null, "min": 0, "max": null, "min_exclusive": false, "pii": null},
      {"name": "handle_seconds", "required": false, "type": "number", "enum": null, "min": 0, "max": null, "min_exclusive": false, "pii": null},
      {"name": "wait_seconds", "required": false, "type": "number", "enum": null, "min": 0, "max": null, "min_exclusive": false, "pii": null}
    ]
  }
}
{% endraw %}{%- endset -%}
{{ return(fromjson(contract_json)) }}
{%- endmacro %}
