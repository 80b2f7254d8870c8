"""The forum table as deployed matches forum.schema, and survives mistakes."""

from __future__ import annotations

from forum import schema

from .conftest import Synthesis


def test_table_keys_and_indexes_come_from_the_schema(synth: Synthesis) -> None:
    # Given the synthesized stack, when we look at its one table
    _, table = synth.one("AWS::DynamoDB::Table")
    props = table["Properties"]

    # Then its keys and global indexes are exactly those of forum.schema
    assert props["KeySchema"] == [
        {"AttributeName": schema.PARTITION_KEY, "KeyType": "HASH"},
        {"AttributeName": schema.SORT_KEY, "KeyType": "RANGE"},
    ]
    indexes = {index["IndexName"]: index for index in props["GlobalSecondaryIndexes"]}
    assert set(indexes) == {name for name, _, _ in schema.GLOBAL_INDEXES}
    for name, index_pk, index_sk in schema.GLOBAL_INDEXES:
        assert indexes[name]["KeySchema"] == [
            {"AttributeName": index_pk, "KeyType": "HASH"},
            {"AttributeName": index_sk, "KeyType": "RANGE"},
        ]
        assert indexes[name]["Projection"] == {"ProjectionType": "ALL"}
    # And every key attribute is a string, as the local runtime's table has them
    local = schema.create_table_arguments("forum")
    assert sorted(props["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == sorted(
        local["AttributeDefinitions"], key=lambda a: a["AttributeName"]
    )


def test_table_is_on_demand_with_ttl_and_aws_managed_encryption(synth: Synthesis) -> None:
    _, table = synth.one("AWS::DynamoDB::Table")
    props = table["Properties"]

    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert "ProvisionedThroughput" not in props
    assert props["TimeToLiveSpecification"] == {
        "AttributeName": schema.TTL_ATTRIBUTE,
        "Enabled": True,
    }
    # SSEEnabled without a key: the AWS managed key (aws/dynamodb).
    assert props["SSESpecification"] == {"SSEEnabled": True}


def test_table_survives_a_deleted_stack_and_bad_writes(synth: Synthesis) -> None:
    _, table = synth.one("AWS::DynamoDB::Table")

    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
    assert table["Properties"]["DeletionProtectionEnabled"] is True
    assert table["Properties"]["PointInTimeRecoverySpecification"] == {
        "PointInTimeRecoveryEnabled": True
    }


def test_table_name_is_an_output(synth: Synthesis) -> None:
    table_id, _ = synth.one("AWS::DynamoDB::Table")
    synth.template.has_output("TableName", {"Value": {"Ref": table_id}})
