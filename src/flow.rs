//! The flowchart walkthrough as a pure state machine over rule data.
