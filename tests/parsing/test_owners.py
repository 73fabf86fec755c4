"""Stage 5: owners from annotations and headings."""
from tracker.parsing.owners import annotations, heading_owners, parse_annotation, split_names


def test_unit_lists_never_split_inside_parentheses():
    assert split_names("市交通局、各县（市、区）人民政府，开发区管委会") == [
        "市交通局", "各县（市、区）人民政府", "开发区管委会"]
    assert split_names("各县(市、区)人民政府") == ["各县(市、区)人民政府"]


def test_responsible_units_the_one_before_the_first_comma_leads():
    owners = parse_annotation("责任单位：市交通局，泽州县、阳城县人民政府")
    assert owners.lead_units == ["市交通局"]
    assert owners.co_units == ["泽州县", "阳城县人民政府"]


def test_lead_co_and_responsible_are_kept_apart():
    owners = parse_annotation("牵头部门:市能源局、市住建局;配合部门:市财政局;"
                              "责任单位:各县（市、区）人民政府")
    assert owners.lead_units == ["市能源局", "市住建局"]
    assert owners.co_units == ["市财政局"]
    assert owners.responsible_units == ["各县（市、区）人民政府"]


def test_leaders_offices_and_persons():
    owners = parse_annotation("分管领导:孙四、李五;责任科室:能源股、城建科;责任人:周六、吴七")
    assert owners.responsible_leaders == ["孙四", "李五"]
    assert owners.responsible_offices == ["能源股", "城建科"]
    assert owners.responsible_persons == ["周六", "吴七"]


def test_verb_annotations():
    owners = parse_annotation("市审批服务管理局牵头，市委编办、市司法局配合，市直各部门分别负责")
    assert owners.lead_units == ["市审批服务管理局"]
    assert owners.co_units == ["市委编办", "市司法局"]
    assert owners.responsible_units == ["市直各部门"]
    assert parse_annotation("甲局、乙局按职责分工负责").responsible_units == ["甲局", "乙局"]


def test_a_tag_is_not_an_owner():
    assert parse_annotation("民生实事项目").tags == ["民生实事项目"]


def test_brackets_inside_a_unit_name_are_not_annotations():
    owners, _ = annotations("区发展和改革局(区能源局)牵头，建设4个村(社区)工程。")
    assert owners.is_empty()


def test_a_verb_annotation_closing_a_sentence():
    owners, spans = annotations("严格安全准入(市工信局、市应急局等部门督促落实)。")
    assert owners.responsible_units == ["市工信局", "市应急局"]
    assert len(spans) == 1


def test_headings_hand_down_a_leader_or_a_lead_unit():
    assert heading_owners("区委常委、常务副区长赵二负责的工作").responsible_leaders == ["赵二"]
    assert heading_owners("副区长、区公安分局局长孙三负责的工作").responsible_leaders == ["孙三"]
    owners = heading_owners("区发展和改革局(区能源局)牵头的工作 (责任领导:钱三)")
    assert owners.lead_units == ["区发展和改革局(区能源局)"]
    assert owners.responsible_leaders == ["钱三"]
    assert heading_owners("相关镇(街道)负责实施的工作").lead_units == ["相关镇(街道)"]


def test_angle_brackets_also_protect_a_unit_name():
    assert split_names("市安委办、各县〈市、区〉人民政府") == ["市安委办", "各县〈市、区〉人民政府"]
